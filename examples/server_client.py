"""Call a running `coach serve` the way contact-center software would.

    coach serve --port 8000 &
    python examples/server_client.py [--url http://127.0.0.1:8000]
"""

import argparse

import httpx

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--url", default="http://127.0.0.1:8000")
args = parser.parse_args()

CALL = [
    ("agent", "Brightwater Energy, Dee speaking."),
    ("customer", "My bill this month is £412, it's normally about £90. I think the meter reading is wrong."),
    ("agent", "Oh, that's a big jump. Your account is subject to a reconciliation of estimated consumption."),
    ("agent", "I've corrected the reading and cancelled that bill; the new one is £88.40."),
]

with httpx.Client(base_url=args.url, timeout=10) as client:
    sid = client.post("/v1/sessions", json={"metadata": {"queue": "billing"}}).json()["session"]
    for speaker, text in CALL:
        result = client.post(f"/v1/sessions/{sid}/turns", json={"speaker": speaker, "text": text}).json()
        print(f"{speaker:>8}: {text}")
        for hint in result["hints"]:
            print(f"{'':10}» {hint['message']}" + (f"  “{hint['example']}”" if hint["example"] else ""))
    report = client.delete(f"/v1/sessions/{sid}").json()
    print("missing:", ", ".join(report["missing"]) or "none")
