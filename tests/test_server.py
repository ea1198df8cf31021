"""The live-assist service over a real loopback socket with a real HTTP client."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("fastapi")

from coach.server import create_app  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    app = create_app(idle_timeout=3.0, max_body=20_000)
    import coach

    coach.analyze(coach.Transcript.from_pairs(CALL))  # load models first: a cold first turn must not look idle
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture()
def client(server):
    with httpx.Client(base_url=server[0], timeout=30) as c:
        yield c


CALL = [
    ("agent", "Thanks for calling, this is Sam. How can I help?"),
    ("customer", "My internet keeps dropping every twenty minutes since Saturday."),
    ("agent", "I'm sorry, that sounds frustrating. I'll stay with you until it's sorted."),
    ("agent", "So since Saturday your connection drops about every twenty minutes — is that right?"),
    ("customer", "Yes, exactly."),
    ("agent", "I've booked an engineer for Thursday between 8 and 12 to fix the line."),
]


def test_server_session_round_trip_matches_library(client):
    import coach

    sid = client.post("/v1/sessions", json={"id": "call-1"}).json()["session"]
    assert sid == "call-1"
    results = [client.post(f"/v1/sessions/{sid}/turns", json={"speaker": s, "text": t}).json() for s, t in CALL]
    assert [r.get("index") for r in results] == list(range(len(CALL))), results
    assert all(len(r["hints"]) <= 3 for r in results)
    report = client.get(f"/v1/sessions/{sid}/report").json()
    expected = coach.analyze(coach.Transcript.from_pairs(CALL, id="call-1")).to_dict()
    for part in ("stages", "missing", "clarity", "paraphrases", "stats"):
        assert report[part] == expected[part], part
    closed = client.delete(f"/v1/sessions/{sid}")
    assert closed.status_code == 200
    assert client.get(f"/v1/sessions/{sid}/report").status_code == 404


def test_server_state_restore_continues_the_session(client):
    sid = client.post("/v1/sessions", json={}).json()["session"]
    for s, t in CALL[:3]:
        client.post(f"/v1/sessions/{sid}/turns", json={"speaker": s, "text": t})
    state = client.get(f"/v1/sessions/{sid}/state").json()
    client.delete(f"/v1/sessions/{sid}")
    assert client.post("/v1/sessions/restore", json={"state": state}).status_code == 201
    r = client.post(f"/v1/sessions/{sid}/turns", json={"speaker": CALL[3][0], "text": CALL[3][1]}).json()
    assert r["index"] == 3


def test_server_partial_turn_is_not_counted(client):
    sid = client.post("/v1/sessions", json={}).json()["session"]
    client.post(f"/v1/sessions/{sid}/turns", json={"speaker": "customer", "text": "my card", "final": False})
    client.post(f"/v1/sessions/{sid}/turns", json={"speaker": "customer", "text": "my card was stolen yesterday"})
    report = client.get(f"/v1/sessions/{sid}/report").json()
    assert report["stats"]["turns"] == 1


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("post", "/v1/sessions/nope/turns", {"json": {"speaker": "agent", "text": "hi"}}, 404),
        ("get", "/v1/sessions/nope/report", {}, 404),
        ("delete", "/v1/sessions/nope", {}, 404),
        ("post", "/v1/clarity", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 400),
        ("post", "/v1/clarity", {"json": {"text": 42}}, 422),
        ("post", "/v1/clarity", {"json": {}}, 422),
        ("post", "/v1/paraphrase", {"json": {"text": "x", "n": "many"}}, 422),
        ("post", "/v1/clarity", {"json": {"text": "x" * 30_000}}, 413),
        ("post", "/v1/analyze", {"content": b"[1, 2", "headers": {"content-type": "application/json"}}, 400),
        ("post", "/v1/analyze", {"json": {"turns": "no"}}, 422),
        ("post", "/v1/analyze", {"json": 5}, 422),
    ],
)
def test_server_bad_requests_get_clear_4xx(client, method, path, kwargs, status):
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status
    assert response.json()["error"]


def test_server_chunked_bodies_are_limited_too(client):
    """A body sent without Content-Length (chunked) is read up to the limit: 413 past it, served below it."""

    def chunks(text: str):
        body = ('{"text": "' + text + '"}').encode()
        yield from (body[i : i + 4096] for i in range(0, len(body), 4096))

    headers = {"content-type": "application/json"}
    assert client.post("/v1/clarity", content=chunks("x" * 30_000), headers=headers).status_code == 413
    response = client.post("/v1/clarity", content=chunks("Your refund is on its way."), headers=headers)
    assert response.status_code == 200 and response.json()["score"] is not None


def test_server_unknown_speaker_is_422(client):
    sid = client.post("/v1/sessions", json={}).json()["session"]
    response = client.post(f"/v1/sessions/{sid}/turns", json={"speaker": "Bob", "text": "hello"})
    assert response.status_code == 422 and "roles" in response.json()["error"]


def test_server_one_shot_endpoints(client):
    assert client.post("/v1/clarity", json={"text": "Your case has been escalated to tier 2."}).json()["score"] is not None
    found = client.post("/v1/paraphrase", json={"text": "I was charged twice for order 5521", "n": 2}).json()
    assert 1 <= len(found["paraphrases"]) <= 2
    report = client.post("/v1/analyze", json={"id": "x", "turns": [{"speaker": "agent", "text": "Hello"}]}).json()
    assert report["id"] == "x"
    assert client.get("/openapi.json").json()["paths"]["/v1/sessions/{sid}/turns"]


def test_server_sessions_expire_when_idle(client, server):
    sid = client.post("/v1/sessions", json={}).json()["session"]
    time.sleep(3.3)
    assert client.get(f"/v1/sessions/{sid}/report").status_code == 404


def test_server_concurrent_sessions_keep_their_turns(server):
    """20 sessions × 50 turns posted concurrently: no lost or mixed-up turns."""
    base = server[0]

    def run(n: int) -> list[str]:  # returns the session's turns as the server kept them
        with httpx.Client(base_url=base, timeout=60) as c:
            sid = c.post("/v1/sessions", json={"id": f"load-{n}"}).json()["session"]
            for i in range(50):
                speaker = "customer" if i % 2 else "agent"
                r = c.post(f"/v1/sessions/{sid}/turns", json={"speaker": speaker, "text": f"session {n} turn {i} here"})
                assert r.status_code == 200 and r.json()["index"] == i
            texts = [t["text"] for t in c.get(f"/v1/sessions/{sid}/state").json()["turns"]]
            assert c.delete(f"/v1/sessions/{sid}").json()["stats"]["turns"] == 50
            return texts

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(run, range(20)))
    assert results == [[f"session {n} turn {i} here" for i in range(50)] for n in range(20)]
