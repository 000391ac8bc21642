"""Issue 7: 50 refreshes (``hsdash import`` of a changed synthetic register: store, build, publish), each SIGKILLed
at a random moment. After every kill the published warehouse opens, passes validation and equals either the
previous or the new build, the raw zone's sealed snapshots verify and the lock is free; a fresh ``hsdash refresh``
then publishes the newest register and clears what the killed runs left behind."""

from reliability.kill import run_kills


def test_fifty_sigkills_never_corrupt_the_published_warehouse(built, tmp_path):
    report = run_kills(built, tmp_path, n=50, log=print)
    print(report.summary())
    assert report.ok, report.summary()
    assert report.kills == 50
    assert sum(v for k, v in report.outcomes.items() if k.startswith(("previous", "new"))) == 50
