#!/usr/bin/python3
# edgecert.py: an Ansible module that runs one edgecert applet and reports
# what its status record says.  Standard library only.
#
#   - edgecert:
#       applet: import-pfx
#       args: [--in, /srv/edge.pfx, --password-file, /root/pfx.pass]
#       store: /var/lib/edgecert        (optional)
#       binary: edgecert                (optional)
#       ok_codes: []                    (optional: codes that are not failures)
#
# It runs "edgecert APPLET ARGS --format json" (with --check in Ansible's
# check mode), and returns changed, failed and msg from the record, and the
# whole record as "record".  The record decides, never the text.

import json
import subprocess

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r'''
module: edgecert
short_description: run an edgecert applet and report its status record
options:
  applet: {type: str, required: true}
  args: {type: list, elements: str, default: []}
  store: {type: path}
  binary: {type: str, default: edgecert}
  ok_codes: {type: list, elements: str, default: []}
'''


def main():
    module = AnsibleModule(
        argument_spec=dict(
            applet=dict(type='str', required=True),
            args=dict(type='list', elements='str', default=[]),
            store=dict(type='path'),
            binary=dict(type='str', default='edgecert'),
            ok_codes=dict(type='list', elements='str', default=[]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    cmd = [p['binary']]
    if p['store']:
        cmd += ['--store', p['store']]
    cmd += [p['applet']] + p['args'] + ['--format', 'json']
    if module.check_mode:
        cmd.append('--check')
    try:
        run = subprocess.run(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, check=False)
    except OSError as e:
        module.fail_json(msg='cannot run %s: %s' % (p['binary'], e), cmd=cmd)
    try:
        record = json.loads(run.stdout.decode('utf-8', 'replace'))
    except ValueError:
        module.fail_json(msg='no status record (exit %d): %s' %
                         (run.returncode,
                          run.stderr.decode('utf-8', 'replace').strip()),
                         cmd=cmd, rc=run.returncode)
    ok = record.get('code') == 'ok' or record.get('code') in p['ok_codes']
    result = dict(changed=bool(record.get('changed')), rc=run.returncode,
                  msg=record.get('message', ''), record=record, cmd=cmd,
                  warnings=record.get('warnings') or [])
    if not ok:
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
