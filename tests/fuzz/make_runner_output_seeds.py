#!/usr/bin/env python3
"""Writes the synthetic seeds of tests/fuzz/corpus/runner_output/.

Each seed is one way a runner's stdout can look, valid or damaged, framed as in
core/src/protocol/runner_protocol.hpp:
    @@platbench-result v1 <payload bytes> <sha256 of payload> <json payload>
The real runner outputs beside them (runner_*.txt) were captured from
platbench-runner itself. Usage: tests/fuzz/make_runner_output_seeds.py [DIR]
"""
import copy
import hashlib
import json
import pathlib
import sys

MARKER = "@@platbench-result"


def frame(payload: str, version: str = "v1") -> str:
    data = payload.encode()
    return f"{MARKER} {version} {len(data)} {hashlib.sha256(data).hexdigest()} {payload}\n"


def dump(report) -> str:
    return json.dumps(report, separators=(",", ":"))


REPORT = {
    "protocol": 1,
    "ok": True,
    "error": "",
    "workload": "echo",
    "params": {"value": 1.5, "count": 3, "label": "x", "flag": True},
    "metrics": [
        {"name": "value", "value": 1.5, "unit": "s", "better": "lower"},
        {"name": "rate", "value": 12345678.9, "unit": "MB/s", "better": "higher"},
        {"name": "count", "value": 3, "unit": "", "better": "none"},
    ],
    "warnings": ["a warning"],
    "info": {"isa": "avx2"},
    "environment": {"online_cpus": 2, "affinity": [0, 1], "cpu_quota": None, "kernel": "6.1.0"},
    "duration_seconds": 0.25,
    "runner_seconds": 0.5,
}


def variant(**changes):
    report = copy.deepcopy(REPORT)
    for key, value in changes.items():
        if value is None and key in report:
            del report[key]
        else:
            report[key] = value
    return report


def seeds():
    good = frame(dump(REPORT))
    yield "valid_minimal_noise.txt", "runner: starting\nsome workload output\n" + good + "trailing output\n"
    yield "valid_failed.txt", frame(dump(variant(ok=False, error="the workload failed: no such file", metrics=[])))
    yield "valid_unavailable.txt", frame(dump(variant(ok=False, unavailable=True, error="fio is not installed",
                                                      metrics=[], runner_seconds=None)))
    yield "valid_unicode.txt", frame(json.dumps(variant(error="caf\u00e9 \U0001F600", warnings=["\u00fcber", "\\u"]),
                                                ensure_ascii=False))
    yield "valid_extreme_numbers.txt", frame(dump(variant(
        params={"big": 18446744073709551615, "negative": -9223372036854775808, "tiny": 5e-324, "zero": -0.0},
        metrics=[{"name": "huge", "value": 1.7976931348623157e308, "unit": "", "better": "higher"},
                 {"name": "small", "value": -5e-324, "unit": "", "better": "lower"}],
        duration_seconds=1e300, runner_seconds=0)))
    yield "valid_crlf_console.txt", "\x1b[0m[    1.234] kernel noise\r\n" + good.replace("\n", "\r\n") + "\r\n"
    yield "valid_after_damaged_copy.txt", good + good[: len(good) // 2] + "\n"
    yield "truncated_payload.txt", good[: len(good) - 40] + "\n"
    yield "truncated_header.txt", f"{MARKER} v1 123\n"
    flipped = dump(REPORT).replace('"echo"', '"ecHo"')
    yield "bad_checksum.txt", good.split(" {")[0] + " " + flipped + "\n"
    yield "bad_version.txt", frame(dump(REPORT), version="v2")
    yield "bad_length.txt", good.replace(f" {len(dump(REPORT))} ", " 99999999999999 ", 1)
    yield "bad_digest.txt", good.replace(hashlib.sha256(dump(REPORT).encode()).hexdigest(), "XYZ" * 21 + "0", 1)
    yield "not_json.txt", frame("{\"protocol\": 1, \"ok\": tru")
    yield "not_an_object.txt", frame("[1, 2, 3]")
    yield "missing_fields.txt", frame(dump({"protocol": 1, "ok": True}))
    yield "wrong_types.txt", frame(dump(variant(ok="yes", metrics={"a": 1}, duration_seconds="1")))
    yield "metric_null.txt", frame(dump(variant(metrics=[{"name": "x", "value": None, "unit": "", "better": "none"}])))
    yield "metric_bad_name.txt", frame(dump(variant(metrics=[{"name": "X-Y", "value": 1, "unit": "", "better": "up"}])))
    yield "metric_twice.txt", frame(dump(variant(metrics=[REPORT["metrics"][0], REPORT["metrics"][0]])))
    yield "number_overflow.txt", frame(dump(REPORT).replace("12345678.9", "1e400"))
    yield "negative_duration.txt", frame(dump(variant(duration_seconds=-1)))
    nested = {}
    for _ in range(40):
        nested = {"n": nested}
    yield "too_deep.txt", frame(dump(variant(environment=nested)))
    yield "protocol_mismatch.txt", frame(dump(variant(protocol=2)))
    yield "no_result_line.txt", "the runner printed this and died\n"
    yield "marker_mid_line.txt", "noise " + good


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent / "corpus" / "runner_output")
    out.mkdir(parents=True, exist_ok=True)
    for name, text in seeds():
        (out / name).write_bytes(text.encode())


if __name__ == "__main__":
    main()
