"""The proxy balances over every web replica, as `docker compose up --scale web=2` runs them: Caddy with
amf/deploy/Caddyfile looks the name `web` up (here in a DNS server of the test's own that answers with
the replicas' two addresses, as Docker's does) and sends requests to both; a replica that stops is
skipped, with no request failing."""

import pytest

from tests.integration.web import Caddy, DnsServer, Gunicorn, WebClient, collect_static, production_env
from tests.integration.workers import RedisServer, free_port, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REPLICAS = ["127.0.0.1", "127.0.0.2"]


@pytest.fixture
def stack(tmp_path):
    redis_server = RedisServer(tmp_path).start()
    env = production_env(
        workdir=tmp_path,
        redis_url=redis_server.url,
        static_root=collect_static(tmp_path / "static", tmp_path),
        TRUSTED_PROXY_COUNT="1",
    )
    port = free_port()  # one port, one address per replica: a service's containers in Docker
    replicas = [
        Gunicorn(workdir=tmp_path, environment=env, access_log=True, host=host, port=port)
        for host in REPLICAS
    ]
    dns = DnsServer("web", REPLICAS).start()
    started = []
    try:
        for replica in replicas:
            started.append(replica.start())
        caddy = Caddy(workdir=tmp_path, upstream=replicas[0], upstream_name="web", resolver=dns.address)
        started.append(caddy.start())
        yield caddy, replicas, dns
    finally:
        for process in reversed(started):
            process.stop()
        dns.stop()
        redis_server.stop()


def _served(replica: Gunicorn) -> int:
    return replica.log().count('"GET /robots.txt HTTP/1.1" 200')


def test_the_proxy_balances_over_every_replica_and_skips_one_that_stopped(stack):
    caddy, replicas, dns = stack
    client = WebClient(caddy.port)

    balanced = [client.get("/robots.txt").status for _ in range(30)]
    wait_for(lambda: sum(map(_served, replicas)) == 30, timeout=10, what="the access logs")
    shares = [_served(replica) for replica in replicas]
    replicas[1].stop()
    failover = [client.get("/robots.txt").status for _ in range(10)]
    wait_for(lambda: _served(replicas[0]) == shares[0] + 10, timeout=10, what="the access log")

    assert ("web", 1) in dns.questions  # the name, as in the compose file
    assert balanced == [200] * 30
    assert all(share > 0 for share in shares), shares
    assert failover == [200] * 10
