#!/usr/bin/env python3
"""Read the machine profiles (config/profiles).

  profile.py [--file F] list          name and "about" of every profile
  profile.py [--file F] shell NAME    the profile as shell assignments
                                      (profile_cpu=... etc.), for eval

Unknown profiles, unknown keys and malformed lines are errors that name
the file and line, so a typo never boots another machine.
"""
import argparse
import os
import shlex
import sys

KEYS = ('about', 'like', 'kernel', 'cpu', 'iommu', 'dsa', 'append', 'qemu', 'plan')
# What "kernel" may name: the series (default), or a Debian kernel that
# "make debian-kernels" fetches into build/debian/SERIES.
KERNELS = ('series', 'debian-6.12', 'debian-7')
DEFAULT = 'default'


def parse(path):
    profiles, order, cur = {}, [], None
    with open(path, encoding='utf-8') as f:
        for no, raw in enumerate(f, 1):
            line = raw.split('#', 1)[0].strip()
            if not line:
                continue
            where = f'{path}:{no}'
            if line.startswith('[') and line.endswith(']'):
                cur = line[1:-1].strip()
                if not cur or cur in profiles:
                    sys.exit(f'{where}: empty or repeated profile name [{cur}]')
                profiles[cur] = {}
                order.append(cur)
                continue
            if cur is None or '=' not in line:
                sys.exit(f'{where}: expected "[name]" or "key = value", got: {line}')
            key, value = (s.strip() for s in line.split('=', 1))
            if key not in KEYS:
                sys.exit(f'{where}: unknown key "{key}" (keys: {", ".join(KEYS)})')
            if key in profiles[cur]:
                sys.exit(f'{where}: "{key}" given twice in [{cur}]')
            profiles[cur][key] = value
    if DEFAULT not in profiles:
        sys.exit(f'{path}: no [{DEFAULT}] profile')
    return profiles, order


def resolve(profiles, name, path):
    if name not in profiles:
        sys.exit(f'{path}: no profile "{name}" (profiles: {", ".join(profiles)})')
    p = dict(profiles[DEFAULT])
    # like = OTHER: start from that profile instead (one level, no chains)
    like = profiles[name].get('like')
    if like:
        if like not in profiles or like == name or profiles[like].get('like'):
            sys.exit(f'{path}: profile "{name}": like = {like} names no profile '
                     'that itself has no "like"')
        p.update(profiles[like])
        p.pop('about', None)
        p.pop('plan', None)
    p.update(profiles[name])
    p.setdefault('kernel', 'series')
    if p['kernel'] not in KERNELS:
        sys.exit(f'{path}: profile "{name}": kernel = {p["kernel"]} '
                 f'(kernels: {", ".join(KERNELS)})')
    if not p.get('cpu'):
        sys.exit(f'{path}: profile "{name}" has no cpu, nor has [{DEFAULT}]')
    for k in KEYS:
        p.setdefault(k, '')
    return p


def main():
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--file', default=os.path.join(top, 'config', 'profiles'))
    ap.add_argument('command', choices=('list', 'shell'))
    ap.add_argument('name', nargs='?')
    a = ap.parse_args()
    profiles, order = parse(a.file)
    if a.command == 'list':
        for n in order:
            print(f'{n:12} {profiles[n].get("about", "")}')
        return
    if not a.name:
        sys.exit('profile.py shell: which profile?')
    p = resolve(profiles, a.name, a.file)
    print(f'profile_name={shlex.quote(a.name)}')
    for k in KEYS:
        print(f'profile_{k}={shlex.quote(p[k])}')


if __name__ == '__main__':
    main()
