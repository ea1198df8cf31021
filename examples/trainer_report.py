"""Build the trainer reports from the bundled example calls: one per-call report, and the team report
over every call, each as HTML (self-contained, opens offline) and Markdown.

    python examples/trainer_report.py [OUT_DIR]      # default: trainer_reports/

Needs the report extra: pip install 'coach-cx[report]'. The same from the command line:

    coach report examples/transcripts/insurance_claim.json -o call.html
    coach report examples/transcripts -o team.html --calls calls/
"""

import sys
from pathlib import Path

import coach
from coach.batch import expand
from coach.render.aggregate import from_reports
from coach.render.html import agent_html, call_html
from coach.render.markdown import agent_markdown, call_markdown

HERE = Path(__file__).resolve().parent
out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("trainer_reports")
out.mkdir(parents=True, exist_ok=True)

calls = []  # (report, source file, position in the file)
for path in expand(HERE / "transcripts"):
    for index, transcript in enumerate(coach.load_all(path), start=1):
        calls.append((coach.analyze(transcript), str(path.relative_to(HERE)), index))

report, source, index = next(c for c in calls if c[0].id == "call-claim-7730")
(out / "call.html").write_text(call_html(report, source=source, index=index), encoding="utf-8")
(out / "call.md").write_text(call_markdown(report, source=source, index=index), encoding="utf-8")

team = from_reports(calls, title="Team — bundled examples")
(out / "team.html").write_text(agent_html(team), encoding="utf-8")
(out / "team.md").write_text(agent_markdown(team), encoding="utf-8")

print(f"{len(calls)} calls → {out}/call.html, call.md, team.html, team.md")
for number, action in enumerate(team.actions, start=1):
    print(f"  {number}. {action.title}: {action.why}")
