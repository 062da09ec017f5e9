#!/usr/bin/python3
# mock-autoenroll.py: a stand-in for autoenroll.fcgi that speaks the endpoint's contract (README "Auto-enrollment") without Kerberos, AD or signerd, so the client scripts' own logic is tested on any machine.
#
# Usage: mock-autoenroll.py PORT DIR   (DIR holds ca.pem + ca.key; requests are
# appended to DIR/requests.log as "action serial days"). Behaviour switches,
# read per request from files in DIR so a test can flip them while it runs:
#   DIR/mail, DIR/cn      what "AD" says (default alice@demo.test, Alice Smith)
#   DIR/valid-days        validity of issued certificates (default 60)
#   DIR/answer-401        answer every request like Apache without a ticket
#   DIR/answer-503        answer code 13 with HTTP 503 (AD unreachable)
#   DIR/answer-slow       wait 5 s before answering
# It is not the real thing: tests/integration/38b-autoenroll-clients.sh runs
# the same clients against autoenroll.fcgi, Apache and Samba AD.
import datetime
import http.server
import os
import subprocess
import sys
import time
import urllib.parse

PORT, D = int(sys.argv[1]), sys.argv[2]
MAX_BODY = 64 * 1024
certs = {}  # serial (upper-case hex, no leading zeros) -> [not_after, revoked]


def setting(name, default):
    try:
        with open(os.path.join(D, name)) as f:
            return f.read().strip()
    except OSError:
        return default


def norm(serial):
    return serial.upper().lstrip('0') or '0'


def openssl(*args):
    return subprocess.run(('openssl',) + args, capture_output=True, text=True)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def text(self, status, code, message, extra=None):
        lines = ['code=%d' % code, 'message=%s' % message]
        lines += ['%s=%s' % kv for kv in (extra or {}).items()]
        body = ('\n'.join(lines) + '\n').encode()
        self.send_response(status)
        self.send_header('X-Autoenroll-Code', str(code))
        self.send_header('Content-Type', 'text/plain; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def info(self, serial, result):
        not_after = certs[serial][0]
        left = int((not_after - datetime.datetime.utcnow()).total_seconds() // 86400)
        return {'result': result, 'serial': serial,
                'not_after': not_after.strftime('%Y-%m-%dT%H:%M:%SZ'), 'days_left': str(left)}

    # certmint publishes its CA certificates at /ca/ (DER), no login.
    def do_GET(self):
        if self.path not in ('/ca/root.crt', '/ca/issuing.crt'):
            self.send_response(404)
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        der = subprocess.run(['openssl', 'x509', '-in', os.path.join(D, 'ca.pem'), '-outform', 'DER'],
                             capture_output=True).stdout
        self.send_response(200)
        self.send_header('Content-Type', 'application/pkix-cert')
        self.send_header('Content-Length', str(len(der)))
        self.end_headers()
        self.wfile.write(der)

    def do_POST(self):
        n = int(self.headers.get('Content-Length', '0'))
        if n > MAX_BODY:
            return self.text(400, 29, 'No request supplied')
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        field = lambda k, d='': form.get(k, [d])[0]
        if os.path.exists(os.path.join(D, 'answer-401')):
            self.send_response(401)
            self.send_header('WWW-Authenticate', 'Negotiate')
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        action, serial, days = field('action', 'enroll'), norm(field('serial')), int(field('days', '30'))
        # Logged before the slow answer's wait: a client that timed out must
        # not have its line land after a later request's (a flake under load).
        with open(os.path.join(D, 'requests.log'), 'a') as f:
            f.write('%s %s %d\n' % (action, serial if field('serial') else '-', days))
        if os.path.exists(os.path.join(D, 'answer-slow')):
            time.sleep(5)
        if os.path.exists(os.path.join(D, 'answer-503')):
            return self.text(503, 13, 'Failed to get adserver or attributes')
        if action not in ('enroll', 'status', 'renew'):
            return self.text(400, 21, 'Invalid status supplied')
        if action in ('status', 'renew'):
            if not field('serial'):
                return self.text(400, 24, 'Invalid serial number supplied')
            if serial not in certs or certs[serial][1]:
                return self.text(404, 25, 'Failed to get cert')
            left = (certs[serial][0] - datetime.datetime.utcnow()).total_seconds() / 86400
            if left > days:
                return self.text(200, 0, '', self.info(serial, 'valid'))
            if action == 'status':
                return self.text(200, 0, '', self.info(serial, 'due'))
        csr = field('csr')
        if not csr:
            return self.text(400, 29, 'No request supplied')
        req = os.path.join(D, 'req.pem')
        with open(req, 'w') as f:
            f.write(csr)
        subj = openssl('req', '-in', req, '-noout', '-subject', '-nameopt', 'utf8,sep_multiline')
        if subj.returncode != 0:
            return self.text(400, 15, 'Invalid CSR')
        # The e-mail as emailAddress or as an rfc822Name SAN (certmonger's
        # getcert -E puts it only there).
        mail = setting('mail', 'alice@demo.test')
        san = openssl('req', '-in', req, '-noout', '-text').stdout
        if 'emailAddress=%s\n' % mail not in subj.stdout + '\n' and 'email:%s' % mail not in san:
            return self.text(403, 18, 'Email in AD mismatch')
        if 'CN=%s\n' % setting('cn', 'Alice Smith') not in subj.stdout + '\n':
            return self.text(403, 19, 'User Name in AD mismatch')
        valid = int(setting('valid-days', '60'))
        leaf = os.path.join(D, 'leaf.pem')
        r = openssl('x509', '-req', '-in', req, '-CA', os.path.join(D, 'ca.pem'), '-CAkey',
                    os.path.join(D, 'ca.key'), '-CAcreateserial', '-days', str(valid), '-out', leaf)
        if r.returncode != 0:
            return self.text(400, 15, 'Invalid CSR')
        new = norm(openssl('x509', '-in', leaf, '-noout', '-serial').stdout.strip().split('=')[1])
        certs[new] = [datetime.datetime.utcnow() + datetime.timedelta(days=valid), False]
        if action == 'renew':
            certs[serial][1] = True
        with open(leaf) as f, open(os.path.join(D, 'ca.pem')) as g:
            body = (f.read() + g.read()).encode()
        self.send_response(200)
        self.send_header('X-Autoenroll-Code', '0')
        self.send_header('X-Autoenroll-Result', 'renewed' if action == 'renew' else 'issued')
        self.send_header('X-Autoenroll-Serial', new)
        self.send_header('Content-Type', 'application/pem-certificate-chain')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


http.server.ThreadingHTTPServer(('127.0.0.1', PORT), Handler).serve_forever()
