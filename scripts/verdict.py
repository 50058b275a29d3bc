#!/usr/bin/env python3
"""Turn the KTAP result files of every stage into one verdict.

Each file is parsed with the kernel's own KTAP parser
(tools/testing/kunit/kunit_parser.py).  Leaves count as passed, failed or
skipped; a parse error (e.g. a plan promising more tests than ran, as when
the guest died), a crashed test, or a parent that failed while all of its
children passed counts as a failure too.  A stage file that is missing is a
failure of that stage.

Writes a JSON summary (with what produced the results, --meta, and the
stage times, --times) and a results page in markdown (--markdown), starts
with the bases and series used (loudly when a base is a fallback), lists
stages over their time budget, and ends with the line "N passed, N failed,
N skipped"; exits 1 when anything failed.
"""

import argparse
import io
import json
import os
import re
import sys


def load_parser(kunit_dir):
    sys.path.insert(0, kunit_dir)
    import kunit_parser  # pylint: disable=import-outside-toplevel
    return kunit_parser


def tally(kp, test, path, out):
    """Walk a parsed test; append (name, status) leaves to out; return #fails."""
    name = f'{path}.{test.name}' if path and test.name else (test.name or path)
    ok = (kp.TestStatus.SUCCESS, kp.TestStatus.SKIPPED, kp.TestStatus.NO_TESTS)
    fails = 0
    for _ in range(test.counts.errors if not test.subtests else 0):
        out.append((f'{name} (parse error)', 'FAIL'))
        fails += 1
    if not test.subtests:
        if test.status == kp.TestStatus.SUCCESS:
            out.append((name, 'PASS'))
        elif test.status == kp.TestStatus.SKIPPED:
            out.append((name, 'SKIP'))
        else:
            out.append((name, 'FAIL'))
            fails += 1
        return fails
    for sub in test.subtests:
        fails += tally(kp, sub, name, out)
    if test.status not in ok and fails == 0:
        out.append((f'{name} (failed, children passed)', 'FAIL'))
        fails += 1
    return fails


def parse_stage(kp, path):
    with open(path, encoding='utf-8', errors='replace') as f:
        lines = f.read().splitlines(keepends=True)
    log = io.StringIO()
    # The parser prints through kunit_printer.stdout, bound to sys.stdout
    # when imported: point it at our buffer for the parse.
    saved = kp.stdout._output  # pylint: disable=protected-access
    kp.stdout._output = log  # pylint: disable=protected-access
    try:
        root = kp.parse_run_tests(lines)
    finally:
        kp.stdout._output = saved  # pylint: disable=protected-access
    results = []
    if root.status == kp.TestStatus.FAILURE_TO_PARSE_TESTS:
        results.append(('no KTAP output', 'FAIL'))
    else:
        # Errors found while parsing the top level (e.g. plan mismatch)
        # are counted on the root; tally() handles nested ones.
        # The parser stands in an unnamed crashed test for each one the
        # plan promised but the output lacks; count those once, by number.
        own = root.counts.errors - sum(s.counts.errors for s in root.subtests)
        for i, sub in enumerate(root.subtests, 1):
            if not sub.name and sub.status == kp.TestStatus.TEST_CRASHED:
                results.append((f'test {i} of the plan never reported (crash or hang?)', 'FAIL'))
                own -= 1
            else:
                tally(kp, sub, '', results)
        for _ in range(max(own, 0)):
            results.append(('(KTAP parse error, see the parser log)', 'FAIL'))
    return results, log.getvalue()


def header(meta):
    """Lines saying what produced the results; fallback bases loudly."""
    lines = []
    bases = meta.get('bases', {})
    parts = []
    for name, b in bases.items():
        state = 'FALLBACK' if b.get('fallback') else 'pinned'
        parts.append(f"{name} {b.get('used') or '(not fetched)'} ({state})")
    if parts:
        lines.append('bases:    ' + ', '.join(parts))
    ser = meta.get('series', {})
    if ser:
        lines.append('series:   ' + ', '.join(
            f"{n} {v['patches']} patches ({v['sha256']})" for n, v in ser.items()) +
            (f", commit {meta['commit']}" if meta.get('commit') else ''))
    for name, b in bases.items():
        if b.get('fallback'):
            lines.append(f"WARNING: the {name} base is {b.get('used')}, NOT the pinned "
                         f"{b.get('pinned')}: these results are not of the pinned base")
    return lines


def read_times(path):
    times = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            words = line.split()
            if len(words) == 2 and words[1].isdigit():
                times[words[0]] = times.get(words[0], 0) + int(words[1])
    return times


def markdown(summary, path):
    """A results page: header, stages with times, every test, skips and failures."""
    meta = summary.get('meta', {})
    times = summary.get('times', {})
    out = ['# Results', '']
    out += [f'    {l}' for l in header(meta)] + ['']
    out += [f"**{summary['passed']} passed, {summary['failed']} failed, "
            f"{summary['skipped']} skipped**", '']
    if times:
        budget = meta.get('budget', {})
        out += ['| stage | seconds | budget |', '|---|---:|---:|']
        for st, sec in times.items():
            if st != 'wall':
                out.append(f"| {st} | {sec} | {budget.get(st, '')} |")
        out += [f"| wall (stages overlap) | {times.get('wall', '')} | "
                f"{budget.get('total-cold', '')} |", '']
    for name, st in summary['stages'].items():
        out += [f"## {name}: {st['passed']} passed, {st['failed']} failed, "
                f"{st['skipped']} skipped", '']
        odd = [t for t in st['tests'] if t['status'] != 'PASS']
        for t in odd:
            out.append(f"- **{t['status']}** {t['name']}" +
                       (' (unexpected skip)' if t.get('unexpected_skip') else '') +
                       (f" — {t['reason']}" if t.get('reason') else ''))
            if t.get('log'):
                out += ['', '  ```'] + [f'  {l}' for l in t['log']] + ['  ```', '']
        passed = [t['name'] for t in st['tests'] if t['status'] == 'PASS']
        if passed:
            out += ['', '<details><summary>passed</summary>', '',
                    ', '.join(passed), '', '</details>']
        out.append('')
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(out))


def annotations(path):
    """From the KTAP file's own lines: test name -> its SKIP reason, and
    test name -> its diagnostic lines ("# NAME: text")."""
    reasons, diags = {}, {}
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                line = line.rstrip('\n')
                m = re.match(r'\s*ok \d+ (.*?) # SKIP ?(.*)$', line)
                if m:
                    reasons[m.group(1)] = m.group(2)
                m = re.match(r'\s*# ([^\s:]+): (.*)$', line)
                if m:
                    diags.setdefault(m.group(1), []).append(m.group(2))
    except OSError:
        pass
    return reasons, diags


def by_suffix(table, name):
    """table's entry for NAME (stage.suite.test), or for its shortest
    suffix that KTAP names on its own (suite.test, test); None if none."""
    parts = name.split('.')
    for i in range(len(parts)):
        if '.'.join(parts[i:]) in table:
            return table['.'.join(parts[i:])]
    return None


EXPECT = re.compile(r'^#\s*expected skip:\s*(\S+)\s*(.*)$')


def expected_skips(path):
    """The skips a plan (or config/expected-skips) expects: name -> reason.

    Lines "# expected skip: NAME REASON"; NAME is the test's name as the
    verdict prints it within its stage (kunit.example.example_skip_test).
    """
    skips = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            m = EXPECT.match(line.strip())
            if m:
                skips[m.group(1)] = m.group(2).lstrip('-— ').strip()
    return skips


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kunit-dir', required=True,
                    help='tools/testing/kunit of the kernel tree')
    ap.add_argument('--json', help='write the summary here')
    ap.add_argument('--log', help='write the parser output here')
    ap.add_argument('--meta', help='JSON of what produced the results (results-meta.py)')
    ap.add_argument('--times', help='stage times, lines "STAGE SECONDS"')
    ap.add_argument('--markdown', help='write a results page here')
    ap.add_argument('--expected-skips', action='append', default=[], metavar='STAGE=FILE',
                    help='the skips STAGE expects ("# expected skip: NAME REASON" lines in '
                    'FILE); any other skip of a stage named here fails')
    ap.add_argument('stages', nargs='+', metavar='NAME=FILE.ktap')
    args = ap.parse_args()
    kp = load_parser(args.kunit_dir)

    expect = {}
    for spec in args.expected_skips:
        if '=' not in spec:
            ap.error(f'--expected-skips "{spec}" is not STAGE=FILE')
        stage, path = spec.split('=', 1)
        expect.setdefault(stage, {}).update(expected_skips(path))
    summary = {'stages': {}, 'passed': 0, 'failed': 0, 'skipped': 0}
    if args.meta:
        with open(args.meta, encoding='utf-8') as f:
            summary['meta'] = json.load(f)
        for line in header(summary['meta']):
            print(line)
    if args.times and os.path.exists(args.times):
        summary['times'] = read_times(args.times)
    logs = []
    for spec in args.stages:
        if '=' not in spec:
            ap.error(f'stage "{spec}" is not NAME=FILE')
        stage, path = spec.split('=', 1)
        if not os.path.exists(path):
            results, log = [(f'stage did not produce {path}', 'FAIL')], ''
        else:
            results, log = parse_stage(kp, path)
        unexpected = set()
        if stage in expect:
            # A skip nobody expected hides a feature: it fails.
            unexpected = {n for n, st in results if st == 'SKIP' and n not in expect[stage]}
            results = [(n, 'FAIL') if n in unexpected else (n, st) for n, st in results]
        logs.append(f'=== {stage} ({path})\n{log}')
        counts = {s: sum(1 for _, st in results if st == s)
                  for s in ('PASS', 'FAIL', 'SKIP')}
        reasons, diags = annotations(path)

        def reason(name):
            r = by_suffix(reasons, name)
            return {} if r is None else {'reason': r}

        def excerpt(name):
            """The last diagnostic lines of a failed test, for the results page."""
            d = by_suffix(diags, name)
            return {} if d is None else {'log': d[-15:]}
        summary['stages'][stage] = {
            'file': path, 'passed': counts['PASS'], 'failed': counts['FAIL'],
            'skipped': counts['SKIP'],
            'tests': [dict({'name': n, 'status': st},
                           **({'unexpected_skip': True} if n in unexpected else {}),
                           **(reason(n) if st == 'SKIP' or n in unexpected else
                              excerpt(n) if st == 'FAIL' else {}))
                      for n, st in results]}
        summary['passed'] += counts['PASS']
        summary['failed'] += counts['FAIL']
        summary['skipped'] += counts['SKIP']
        line = f"{stage:<10} {counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped"
        print(line)
        for n, st in results:
            if n in unexpected:
                print(f'    FAIL: {n} (unexpected skip: {reason(n).get("reason", "no reason")})')
            elif st == 'SKIP':
                print(f'    SKIP: {n} ({reason(n).get("reason", "no reason")}; expected)'
                      if stage in expect else f'    SKIP: {n}')
            elif st != 'PASS':
                print(f'    {st}: {n}')
        for n in sorted(set(expect.get(stage, {})) - {m for m, st in results if st == 'SKIP'}):
            print(f'    note: expected skip {n} did not happen (the list is stale?)')

    times = dict(summary.get('times', {}))
    wall = times.pop('wall', None)
    if times:
        budget = summary.get('meta', {}).get('budget', {})
        print('stage times (s): ' + ' '.join(f'{k} {v}' for k, v in times.items()) +
              f', sum {sum(times.values())}' + (f', wall {wall}' if wall is not None else ''))
        if wall is not None and 'total-cold' in budget and wall > budget['total-cold']:
            print(f"    over budget: the whole check took {wall} s, its budget is "
                  f"{budget['total-cold']} s")
        for k, v in times.items():
            if k in budget and v > budget[k]:
                print(f'    over budget: {k} took {v} s, its share is {budget[k]} s')
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(summary, f, indent=1)
    if args.log:
        with open(args.log, 'w', encoding='utf-8') as f:
            f.write('\n'.join(logs))
    if args.markdown:
        markdown(summary, args.markdown)
    print(f"{summary['passed']} passed, {summary['failed']} failed, "
          f"{summary['skipped']} skipped")
    return 1 if summary['failed'] else 0


if __name__ == '__main__':
    sys.exit(main())
