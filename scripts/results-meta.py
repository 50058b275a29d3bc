#!/usr/bin/env python3
"""What produced a result: the bases actually used (pinned or fallback),
the patch series (count and a digest of each patch), the host's tools,
and the time budget (config/budget).  JSON on stdout, for summary.json
and the verdict's header.

Usage: results-meta.py TOP BUILD
"""
import hashlib
import json
import os
import re
import subprocess
import sys


def read(path):
    try:
        with open(path, encoding='utf-8') as f:
            return f.read().strip()
    except OSError:
        return None


def versions_mk(top):
    pins = {}
    for line in (read(os.path.join(top, 'config', 'versions.mk')) or '').splitlines():
        m = re.match(r'^(\w+)\s*:=\s*(\S+)', line)
        if m:
            pins[m.group(1)] = m.group(2)
    return pins


def base(done, pinned):
    """A base: DONE is the .done file its fetch wrote"""
    used = read(done)
    return {'pinned': pinned, 'used': used,
            'fallback': bool(used and pinned and used != pinned)}


def debian_kernel(build, series, pins, key):
    """A Debian kernel booted as a judge: its release and version"""
    pinned = ' '.join(filter(None, (pins.get(f'DEBIAN_{key}_RELEASE'),
                                    pins.get(f'DEBIAN_{key}_VERSION')))) or None
    return base(os.path.join(build, 'debian', series, '.done'), pinned)


def series(top, name):
    d = os.path.join(top, 'patches', name)
    names = [l.split('#')[0].strip() for l in (read(os.path.join(d, 'series')) or '').splitlines()]
    names = [n for n in names if n]
    digest = hashlib.sha256()
    ids = []
    for n in names:
        with open(os.path.join(d, n), 'rb') as f:
            text = f.read()
        digest.update(text)
        # git's patch id: the change itself, whatever the message and line numbers
        out = subprocess.run(['git', 'patch-id', '--stable'], input=text,
                             capture_output=True, check=False).stdout.split()
        ids.append({'patch': n, 'patch-id': out[0].decode()[:16] if out else None})
    return {'patches': len(names), 'sha256': digest.hexdigest()[:16], 'ids': ids}


def tool(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False)
        return (out.stdout or out.stderr).splitlines()[0].strip()
    except (OSError, IndexError, subprocess.SubprocessError):
        return None


def budget(top):
    b = {}
    for line in (read(os.path.join(top, 'config', 'budget')) or '').splitlines():
        line = line.split('#')[0].strip()
        if '=' in line:
            k, v = (s.strip() for s in line.split('=', 1))
            b[k] = int(v)
    return b


def main():
    top, build = sys.argv[1], sys.argv[2]
    pins = versions_mk(top)
    meta = {
        'bases': {'linux': base(os.path.join(build, 'src', 'linux', '.done'),
                                pins.get('LINUX_DEB_VERSION')),
                  'qemu': base(os.path.join(build, 'src', 'qemu', '.done'),
                               pins.get('QEMU_DEB_VERSION')),
                  'debian-6.12': debian_kernel(build, '6.12', pins, '612'),
                  'debian-7': debian_kernel(build, '7', pins, '7')},
        'series': {'linux': series(top, 'linux'), 'qemu': series(top, 'qemu')},
        'commit': tool(['git', '-C', top, 'rev-parse', '--short', 'HEAD']),
        'tools': {'gcc': tool(['gcc', '--version']),
                  'python3': tool(['python3', '--version']),
                  'sparse': tool(['sparse', '--version']),
                  'build/tools': (read(os.path.join(build, 'tools', '.done')) or '').split()},
        'budget': budget(top),
    }
    json.dump(meta, sys.stdout, indent=1)
    print()


if __name__ == '__main__':
    main()
