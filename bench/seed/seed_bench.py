"""The reference (aiofile 3.12.3 on caio) under the bench's workloads.

Run by aiofile-bench inside bench/.venv with CAIO_IMPL=uring|linux|thread; prints one
JSON object: {"backend", "ops_per_sec", "bytes_per_sec", "p50_us", "p99_us",
"stall_p999_us", "stall_max_us"} (fields that do not apply are left out).

Workloads (same shapes as the Rust systems):
  W1 / W1b  cached 4 KiB random reads, 32 / 1 in flight, timed
  W7        4 KiB reads over a random permutation of the blocks (none twice), 32 in
            flight, until the time is up or every block was read (page cache dropped by
            the caller), with a ticker task yielding in a loop
            on the same event loop; gaps between its wake-ups are the stalls
  W4        whole-file sequential reads with aiofile.Reader, 1 MiB chunks, timed
  W6        aiofile.LineReader over the text file, 64 KiB chunks, timed
"""
import argparse
import asyncio
import json
import random
import time

import aiofile
from aiofile import AIOFile, LineReader, Reader
from aiofile.aio import get_default_context

BLOCK = 4096
SEQ_CHUNK = 1 << 20
LINE_CHUNK = 64 * 1024
MODULES = {
    "caio.linux_uring_asyncio": "uring",
    "caio.linux_aio_asyncio": "linux",
    "caio.thread_aio_asyncio": "thread",
    "caio.python_aio_asyncio": "python",
}


def backend():
    ctx = get_default_context()
    return MODULES.get(type(ctx).__module__, type(ctx).__module__)


def quantile_us(sorted_ns, q):
    if not sorted_ns:
        return None
    i = min(len(sorted_ns) - 1, max(0, int(q * len(sorted_ns) + 0.999999) - 1))
    return sorted_ns[i] / 1e3


async def ticker(stop, gaps):
    last = time.perf_counter_ns()
    while not stop[0]:
        await asyncio.sleep(0)
        now = time.perf_counter_ns()
        gaps.append(now - last)
        last = now


async def random_reads(args, depth, one_pass, tick):
    afp = AIOFile(args.path, "rb")
    await afp.open()
    blocks = args.size // BLOCK
    rng = random.Random(args.seed)
    order = None
    if one_pass:
        order = list(range(blocks))
        rng.shuffle(order)
    lat = []
    pos = [0]
    stop, gaps = [False], []
    tick_task = asyncio.ensure_future(ticker(stop, gaps)) if tick else None
    start = time.perf_counter()
    deadline = start + args.duration

    def next_block():
        if one_pass:
            if pos[0] >= len(order) or time.perf_counter() >= deadline:
                return None
            pos[0] += 1
            return order[pos[0] - 1]
        if time.perf_counter() >= deadline:
            return None
        return rng.randrange(blocks)

    async def worker():
        while True:
            b = next_block()
            if b is None:
                return
            t0 = time.perf_counter_ns()
            data = await afp.read_bytes(BLOCK, b * BLOCK)
            lat.append(time.perf_counter_ns() - t0)
            if len(data) != BLOCK:
                raise RuntimeError("short read: %d bytes" % len(data))

    await asyncio.gather(*(worker() for _ in range(depth)))
    elapsed = time.perf_counter() - start
    stop[0] = True
    if tick_task is not None:
        await tick_task
    await afp.close()
    lat.sort()
    out = {
        "ops_per_sec": len(lat) / elapsed,
        "bytes_per_sec": len(lat) * BLOCK / elapsed,
        "p50_us": quantile_us(lat, 0.5),
        "p99_us": quantile_us(lat, 0.99),
    }
    if tick:
        gaps.sort()
        out["stall_p999_us"] = quantile_us(gaps, 0.999)
        out["stall_max_us"] = gaps[-1] / 1e3 if gaps else None
    return out


async def seq_read(args):
    afp = AIOFile(args.path, "rb")
    await afp.open()
    chunks = total = 0
    start = time.perf_counter()
    deadline = start + args.duration
    done = False
    while not done:
        async for chunk in Reader(afp, chunk_size=SEQ_CHUNK):
            chunks += 1
            total += len(chunk)
            if time.perf_counter() >= deadline:
                done = True
                break
    elapsed = time.perf_counter() - start
    await afp.close()
    return {"ops_per_sec": chunks / elapsed, "bytes_per_sec": total / elapsed}


async def lines(args):
    afp = AIOFile(args.path, "rb")
    await afp.open()
    count = total = 0
    start = time.perf_counter()
    deadline = start + args.duration
    done = False
    while not done:
        async for line in LineReader(afp, chunk_size=LINE_CHUNK, line_sep="\n"):
            count += 1
            total += len(line)
            if count % 256 == 0 and time.perf_counter() >= deadline:
                done = True
                break
    elapsed = time.perf_counter() - start
    await afp.close()
    return {"ops_per_sec": count / elapsed, "bytes_per_sec": total / elapsed}


async def main(args):
    w = args.workload
    if w == "W1":
        out = await random_reads(args, 32, one_pass=False, tick=False)
    elif w == "W1b":
        out = await random_reads(args, 1, one_pass=False, tick=False)
    elif w == "W7":
        out = await random_reads(args, 32, one_pass=True, tick=True)
    elif w == "W4":
        out = await seq_read(args)
    elif w == "W6":
        out = await lines(args)
    else:
        raise SystemExit("workload %s is not run by the seed" % w)
    out["backend"] = backend()
    out["aiofile"] = aiofile.__version__ if hasattr(aiofile, "__version__") else "?"
    return {k: v for k, v in out.items() if v is not None}


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--workload", required=True)
    p.add_argument("--path", required=True)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--duration", type=float, default=1.5)
    p.add_argument("--seed", type=int, default=1)
    print(json.dumps(asyncio.run(main(p.parse_args()))))
