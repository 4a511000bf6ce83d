"""A small round-robin TCP balancer for bench/scale_out.py: each connection
to 127.0.0.1:PORT goes to the next of the app servers' ports in turn.

    .venv/bin/python bench/balancer.py 8880 8881 8882

gunicorn's sync workers close the connection after each response, so every
request is a new connection and requests alternate between the servers."""

from __future__ import annotations

import asyncio
import itertools
import sys

HOST = "127.0.0.1"


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main(port: int, backends: list[int]) -> None:
    turn = itertools.cycle(backends)

    async def handle(client_reader, client_writer) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(HOST, next(turn))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))

    server = await asyncio.start_server(handle, HOST, port, backlog=2048)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), [int(p) for p in sys.argv[2:]]))
