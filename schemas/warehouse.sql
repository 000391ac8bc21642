-- The warehouse contract (DuckDB). Owned by schemas/; documented in README.md; checked by tests/test_contract.py.
-- Every table a build publishes is created here; loaders insert into these, never create their own.

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE source (
    source_id VARCHAR PRIMARY KEY,
    publisher VARCHAR NOT NULL,
    title     VARCHAR NOT NULL,
    url       VARCHAR NOT NULL,
    licence   VARCHAR NOT NULL,
    citation  VARCHAR NOT NULL,
    kind      VARCHAR NOT NULL,          -- bundled | package | live | import | starter
    vintage   VARCHAR,                   -- publisher's data version/date when known, as they state it
    vintage_date VARCHAR                 -- the vintage as an ISO date (YYYY-MM-DD) for ordering; NULL when unknown
);

CREATE TABLE raw_file (
    source_id    VARCHAR NOT NULL,
    path         VARCHAR NOT NULL,       -- relative to the data directory
    sha256       VARCHAR NOT NULL,
    bytes        BIGINT NOT NULL,
    retrieved_at VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    PRIMARY KEY (source_id, path)
);

CREATE TABLE country (
    iso3            VARCHAR PRIMARY KEY,
    iso2            VARCHAR,
    name            VARCHAR NOT NULL,
    official_name   VARCHAR,
    wb_region       VARCHAR,
    wb_income_group VARCHAR,
    un_region       VARCHAR
);

CREATE TABLE country_classification (  -- the World Bank's live classification (/v2/country), newer than `country`'s
    iso3            VARCHAR NOT NULL,
    wb_region       VARCHAR,
    wb_income_group VARCHAR,
    lending_type    VARCHAR,
    source_id       VARCHAR NOT NULL,
    retrieved_at    VARCHAR NOT NULL,
    raw_sha256      VARCHAR NOT NULL,
    PRIMARY KEY (iso3, source_id)
);

CREATE TABLE country_group (
    group_id          VARCHAR PRIMARY KEY,
    name              VARCHAR NOT NULL,
    kind              VARCHAR NOT NULL,  -- intergovernmental | geographic | analytical | donor_club
    definition_source VARCHAR NOT NULL,
    description       VARCHAR
);

CREATE TABLE country_group_member (
    group_id    VARCHAR NOT NULL,
    iso3        VARCHAR NOT NULL,
    joined_year INTEGER,                 -- NULL: member for the whole period the definition covers
    left_year   INTEGER,                 -- NULL: still a member
    note        VARCHAR,
    PRIMARY KEY (group_id, iso3)
);

CREATE TABLE indicator (              -- canonical indicators: the catalogue (catalogue/indicators.csv) plus series an
                                       -- import described from its own metadata (curated = false)
    indicator_code   VARCHAR PRIMARY KEY,
    name             VARCHAR NOT NULL,
    unit             VARCHAR NOT NULL,
    theme            VARCHAR NOT NULL,   -- freedom_from_want | freedom_from_fear | dignity | environment | context
    higher_is_better BOOLEAN,            -- NULL: neither; direction_note says why
    description      VARCHAR NOT NULL,   -- the definition
    source_hint      VARCHAR,            -- which connector fetches it (wdi, hdr, ...)
    related_indicator VARCHAR,           -- a public series the figure can be read beside
    defined_by       VARCHAR NOT NULL,   -- source_id whose catalogue defines it
    short_name       VARCHAR,            -- a label for charts
    unit_kind        VARCHAR,            -- percent | per_1000 | per_100000 | index_0_1 | index_0_100 | ratio | count | usd | years | tonnes | rank
    direction_note   VARCHAR,            -- why neither direction is better (when higher_is_better is NULL)
    reporting_floor  DOUBLE,             -- values at or below are published as '<floor' (FAO '<2.5')
    floor_note       VARCHAR,
    valid_min        DOUBLE,             -- plausible range; values outside are quarantined
    valid_max        DOUBLE,
    goals            VARCHAR,            -- MDG/SDG indicators it serves
    caveats          VARCHAR,
    curated          BOOLEAN             -- true: from the curated catalogue; false: described by an import's metadata
);

CREATE TABLE indicator_alias (        -- codes used by earlier versions (saved briefings, URLs) and what they are now
    old_code       VARCHAR PRIMARY KEY,
    indicator_code VARCHAR NOT NULL,
    reason         VARCHAR NOT NULL
);

CREATE TABLE series_map (             -- per source: which source column/code became which indicator, and why
    source_id             VARCHAR NOT NULL,
    dataset               VARCHAR NOT NULL,  -- catalogue dataset key (owid:<slug>, wdi, hdr, csv:<stem>, ...)
    source_column         VARCHAR NOT NULL,  -- the column header or the source's own code
    indicator_code        VARCHAR NOT NULL,
    relation              VARCHAR NOT NULL,  -- same | asserted | separate | unmapped (described by the file) | user
    role                  VARCHAR NOT NULL,  -- publisher | aggregator
    factor                DOUBLE NOT NULL,   -- value in the indicator's unit = source value × factor
    reporting_floor       DOUBLE,            -- this source's reporting floor when it differs from the indicator's
    definition_difference VARCHAR,
    reason                VARCHAR,
    authority             VARCHAR,
    origin                VARCHAR NOT NULL,  -- catalogue | user (hsdash import --indicator) | metadata
    caveats               VARCHAR,           -- what the file itself says about the series (notes, processing)
    rows_loaded           BIGINT NOT NULL,
    PRIMARY KEY (source_id, source_column)
);

CREATE TABLE target (                  -- MDG/SDG targets tracked by the Progress page (reference-owned; etl/progress.py)
    target_id           VARCHAR PRIMARY KEY,  -- mdg-1a-poverty, sdg-3.2, ...
    framework           VARCHAR NOT NULL,     -- MDG | SDG
    goal                INTEGER NOT NULL,
    target_code         VARCHAR NOT NULL,     -- as numbered officially: 1.A, 3.2
    label               VARCHAR NOT NULL,     -- short display name
    indicator_code      VARCHAR NOT NULL,     -- the series assessed (WDI code)
    alt_indicator_codes VARCHAR,              -- ';'-separated equivalents used when the first has no data
    official_indicator  VARCHAR NOT NULL,     -- the official indicator, numbered and worded as in the framework
    baseline_year       INTEGER NOT NULL,
    target_year         INTEGER NOT NULL,
    rule                VARCHAR NOT NULL,     -- relative_reduction | absolute_max | absolute_min | eliminate
    rule_value          DOUBLE NOT NULL,      -- share reduced (0.5 = halve) or the absolute level
    higher_is_better    BOOLEAN NOT NULL,
    shortfall_of        DOUBLE,               -- assess shortfall_of - value (e.g. 100 - coverage); NULL: the value itself
    baseline_window     INTEGER NOT NULL,     -- baseline = nearest year within this many years of baseline_year
    official_wording    VARCHAR NOT NULL,     -- verbatim official text of the target
    reference           VARCHAR NOT NULL,     -- document and URL
    wording_note        VARCHAR               -- where the tracked series or threshold departs from the official text
);

CREATE TABLE observation (
    iso3           VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    year           INTEGER NOT NULL,
    value          DOUBLE NOT NULL,
    source_id      VARCHAR NOT NULL,
    retrieved_at   VARCHAR NOT NULL,
    raw_sha256     VARCHAR NOT NULL,
    note           VARCHAR,
    flag           VARCHAR               -- NULL: no caveat; otherwise the reason the value is doubtful/estimated
    -- key (iso3, indicator_code, year, source_id): unique by construction (pandera model, staged parser), checked by
    -- the build's contract; no index: an index over all of WDI (~10 M rows) costs ~2 GB and ~28 s to build
);

CREATE TABLE indicator_value (        -- one value per (country, indicator, year): every non-paper source's observation,
                                       -- resolved by the documented precedence (etl/resolve.py); built, never loaded
    iso3           VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    year           INTEGER NOT NULL,
    value          DOUBLE NOT NULL,
    source_id      VARCHAR NOT NULL,     -- the source chosen for this cell
    flag           VARCHAR,
    note           VARCHAR,
    n_sources      INTEGER NOT NULL,     -- how many sources give this cell
    low            DOUBLE NOT NULL,      -- lowest and highest value among them
    high           DOUBLE NOT NULL,
    disagree       BOOLEAN NOT NULL,     -- the sources differ by more than the unit kind's tolerance
    at_floor       BOOLEAN NOT NULL      -- the value is at or below the indicator's reporting floor
    -- key (indicator_code, iso3, year): one row per cell by construction (etl/resolve.py), checked by the contract
);

CREATE TABLE group_value (            -- group aggregates precomputed at build (etl/group_values.py) from
                                       -- indicator_value: one row per group, membership mode, indicator and year with a
                                       -- reporting member; stored sorted by (indicator_code, group_id, membership,
                                       -- year); built, never loaded
    group_id       VARCHAR NOT NULL,
    membership     VARCHAR NOT NULL,     -- as_of_year (members of that year) | current (today's members throughout)
    indicator_code VARCHAR NOT NULL,
    year           INTEGER NOT NULL,
    weighted_value DOUBLE,               -- population-weighted mean; NULL when a reporting member's population is
                                         -- unknown
    plain_value    DOUBLE NOT NULL,      -- plain mean of the members reporting
    weightable     BOOLEAN NOT NULL,     -- every reporting member has a population (else weighting falls back)
    n_members      INTEGER NOT NULL,
    n_reporting    INTEGER NOT NULL,
    coverage       DOUBLE NOT NULL,      -- share of the members' population reporting (by count when one is unknown)
    min_iso3       VARCHAR NOT NULL,
    min_value      DOUBLE NOT NULL,
    max_iso3       VARCHAR NOT NULL,
    max_value      DOUBLE NOT NULL,
    source_id      VARCHAR NOT NULL,     -- the source of most reporting members' values
    sources        VARCHAR NOT NULL,     -- every source used, ';'-separated
    n_disagree     INTEGER NOT NULL,     -- reporting members whose cell's sources disagree
    weight_note    VARCHAR,              -- the weighting caveat (etl.aggregate.weighting_text)
    weight_series  VARCHAR NOT NULL,     -- the population series used as weights
    weight_window  INTEGER NOT NULL,     -- nearest population year searched within this many years
    current_year   INTEGER NOT NULL      -- the year 'today' meant at build (membership = current)
);

CREATE TABLE source_agreement (       -- per indicator and pair of sources: how their overlapping cells compare (evidence
                                       -- for asserted mappings, and the 'sources disagree' panel)
    indicator_code VARCHAR NOT NULL,
    source_id      VARCHAR NOT NULL,
    other_source   VARCHAR NOT NULL,
    n_overlap      BIGINT NOT NULL,
    n_agree        BIGINT NOT NULL,      -- within the tolerance of the indicator's unit kind
    median_abs_diff DOUBLE,
    max_abs_diff   DOUBLE,
    median_rel_diff DOUBLE,
    PRIMARY KEY (indicator_code, source_id, other_source)
);

CREATE TABLE paper_figure (
    figure_id      VARCHAR PRIMARY KEY,
    subject_kind   VARCHAR NOT NULL,     -- country | group | donor | fund | global | organisation
    subject        VARCHAR NOT NULL,
    iso3           VARCHAR,
    topic          VARCHAR NOT NULL,
    theme          VARCHAR NOT NULL,
    measure        VARCHAR NOT NULL,
    value          DOUBLE NOT NULL,
    value_high     DOUBLE,
    unit           VARCHAR NOT NULL,     -- as published
    qualifier      VARCHAR,              -- over | almost | nearly | close to | less than | ...
    period         VARCHAR,
    year           INTEGER,
    value_text     VARCHAR NOT NULL,     -- the figure exactly as printed
    quote          VARCHAR NOT NULL,
    section        VARCHAR NOT NULL,
    footnote       VARCHAR,
    cited_source   VARCHAR NOT NULL,
    indicator_code VARCHAR,
    flag           VARCHAR,              -- NULL, or why the published figure is doubtful (kept as published)
    note           VARCHAR,
    source_id      VARCHAR NOT NULL,
    retrieved_at   VARCHAR NOT NULL,
    raw_sha256     VARCHAR NOT NULL
);

CREATE TABLE tfhs_project_count (
    as_of        VARCHAR NOT NULL,
    region       VARCHAR NOT NULL,
    category     VARCHAR NOT NULL,       -- 'all' or one of the paper's nine categories
    projects     INTEGER NOT NULL,
    figure_id    VARCHAR NOT NULL,
    source_id    VARCHAR NOT NULL,
    retrieved_at VARCHAR NOT NULL,
    raw_sha256   VARCHAR NOT NULL,
    PRIMARY KEY (as_of, region, category, source_id)
);

CREATE TABLE oda_flow (
    donor        VARCHAR NOT NULL,       -- DAC/SDMX donor code (ISO3 for countries)
    recipient    VARCHAR NOT NULL,       -- ISO3 or DAC region code
    year         INTEGER NOT NULL,
    measure      VARCHAR NOT NULL,       -- DAC measure code, 206 = net ODA disbursements
    amount_usd   DOUBLE NOT NULL,        -- in US dollars (unit multiplier applied)
    price_basis  VARCHAR NOT NULL,       -- current | constant
    note         VARCHAR,                -- e.g. the base year of constant prices
    source_id    VARCHAR NOT NULL,
    retrieved_at VARCHAR NOT NULL,
    raw_sha256   VARCHAR NOT NULL,
    PRIMARY KEY (donor, recipient, year, measure, price_basis, source_id)
);

CREATE TABLE tfhs_project (
    project_id   VARCHAR NOT NULL,
    title        VARCHAR NOT NULL,
    countries    VARCHAR,                -- ';'-separated ISO3
    region       VARCHAR NOT NULL,
    lead_agency  VARCHAR,
    category     VARCHAR NOT NULL,
    start_date   VARCHAR,
    end_date     VARCHAR,
    budget_usd   DOUBLE,
    source_url   VARCHAR NOT NULL,
    source_id    VARCHAR NOT NULL,
    retrieved_at VARCHAR NOT NULL,
    raw_sha256   VARCHAR NOT NULL,
    PRIMARY KEY (project_id, source_id)
);

CREATE TABLE etl_run (
    run_id           VARCHAR NOT NULL,
    source_id        VARCHAR NOT NULL,
    started_at       VARCHAR NOT NULL,
    finished_at      VARCHAR NOT NULL,
    status           VARCHAR NOT NULL,   -- ok | failed | skipped | kept (failed, last good data carried forward)
    rows_loaded      BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    message          VARCHAR,
    PRIMARY KEY (run_id, source_id)
);

CREATE TABLE revision (               -- published values that a later refresh changed or removed (WB/UNDP revise past years)
    run_id           VARCHAR NOT NULL,   -- the refresh that saw the change
    detected_at      VARCHAR NOT NULL,
    source_id        VARCHAR NOT NULL,
    iso3             VARCHAR NOT NULL,
    indicator_code   VARCHAR NOT NULL,
    year             INTEGER NOT NULL,
    old_value        DOUBLE,
    new_value        DOUBLE,             -- NULL: the value is no longer published
    old_vintage      VARCHAR,
    new_vintage      VARCHAR,
    old_raw_sha256   VARCHAR,
    new_raw_sha256   VARCHAR
);

CREATE TABLE quarantine (
    run_id    VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    "table"   VARCHAR NOT NULL,
    record    VARCHAR NOT NULL,          -- the rejected row as JSON
    reason    VARCHAR NOT NULL
);
