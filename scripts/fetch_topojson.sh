#!/usr/bin/env bash
# Reproduce dashboard/static/topojson/world_110m.json: the world map geometry plotly.js draws choropleths with.
#
# plotly.js fetches "<topojsonURL><scope>_<resolution>m.json" (default https://cdn.plot.ly/un/) the first time a geo
# subplot is drawn. The dashboard serves the same file itself (Streamlit static serving, /app/static/topojson/) and
# passes config={"topojsonURL": "/app/static/topojson/"} to st.plotly_chart, so no map ever asks a CDN.
#
# Source: the plotly.js npm package (MIT), dist/plotly-geo-assets.js, which assigns every topojson object to
# PlotlyGeoAssets.topojson; we evaluate it with node and write the world_110m object out unchanged (JSON).
# Geometry per plotly.js' CHANGELOG: United Nations geodata (coastlines, countries, land, ocean) + Natural Earth
# (lakes, rivers, subunits). Needs: npm, node, tar, sha256sum. Usage: scripts/fetch_topojson.sh [plotly.js version]
set -euo pipefail

VERSION="${1:-4.1.1}"   # the newest plotly.js on npm when fetched; Streamlit 1.67 bundles plotly.js 4.2.0 (same topojson format)
REPO="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$REPO/dashboard/static/topojson"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "plotly.js@$VERSION" >/dev/null
TARBALL="plotly.js-$VERSION.tgz"
tar xzf "$TARBALL" package/dist/plotly-geo-assets.js package/LICENSE
node -e '
  globalThis.window = {};
  const assets = require("./package/dist/plotly-geo-assets.js");
  const fs = require("fs");
  for (const name of ["world_110m"]) {
    fs.writeFileSync(process.argv[1] + "/" + name + ".json", JSON.stringify(assets.topojson[name]));
  }
  console.log("plotly.js geo assets " + assets.version);
' "$OUT"
cp package/LICENSE "$OUT/LICENSE.plotly.js"
SHA_TGZ="$(sha256sum "$TARBALL" | cut -d" " -f1)"
SHA_JSON="$(sha256sum "$OUT/world_110m.json" | cut -d" " -f1)"
cat > "$OUT/NOTICE.md" <<NOTICE
# dashboard/static/topojson

\`world_110m.json\` is the \`world_110m\` topojson object of **plotly.js $VERSION** (npm package \`plotly.js\`,
file \`dist/plotly-geo-assets.js\`), written out unchanged by \`scripts/fetch_topojson.sh\`.

- Licence: MIT, Copyright (c) Plotly, Inc. — full text in \`LICENSE.plotly.js\` (copied from the package).
- Geometry: United Nations geodata (coastlines, countries, land, ocean) and Natural Earth (lakes, rivers,
  subunits), as built by plotly.js (its CHANGELOG, PR #7393). Country boundaries are those plotly.js draws;
  they imply no position on the status of any territory.
- npm tarball sha256: \`$SHA_TGZ\`
- world_110m.json sha256: \`$SHA_JSON\`

Served by Streamlit static serving at \`/app/static/topojson/world_110m.json\`; the dashboard passes
\`config={"topojsonURL": "/app/static/topojson/"}\` to \`st.plotly_chart\`, so choropleths never fetch from the CDN.
NOTICE
echo "wrote $OUT/world_110m.json ($(wc -c < "$OUT/world_110m.json") bytes)"
