// A loopback Sigstore for tests and the demo: Fulcio (with its CT log), Rekor (v1 API) and an
// RFC 3161 timestamp authority from @sigstore/mock, behind one plain Node HTTP server.
//
// Usage: NODE_PATH=DIR/node_modules node sigstore_mock_server.mjs [--port N]
// (DIR holds @sigstore/mock: `npm ci --prefix tests/node` in a checkout of aibom)
// Prints one JSON line on stdout once it listens: {"url", "fulcio_root", "ctlog_key",
// "rekor_key", "tsa_chain"} (base64 DER), from which aibom.testing.sigstore_mock builds a
// ClientTrustConfig. Stops on SIGTERM, SIGINT or when stdin closes.
//
// @sigstore/mock ships handler functions (request body -> response) that it normally
// installs as in-process HTTP interceptors; a client in another process needs a real server,
// so this one routes requests to those handlers. Adaptations between what sigstore-python
// sends and what the handlers expect (each one listed, nothing else is changed):
//   1. Fulcio: sigstore-python sends the identity token as `Authorization: Bearer T` and the
//      CSR base64-encoded (PEM inside, empty subject); the handler reads
//      `credentials.oidcIdentityToken` and a PEM `certificateSigningRequest` from the body.
//   2. Rekor: for a `dsse` entry the real Rekor does not log the proposed envelope but a
//      canonicalised entry (envelope hash, payload hash, signatures with their verifiers); the
//      verifier checks that form, so the server builds it before logging.  `hashedrekord`
//      entries are logged as proposed (that already is their canonical form).
//   3. TSA: sigstore-python posts a DER RFC 3161 TimeStampReq
//      (Content-Type application/timestamp-query); the handler reads a JSON request
//      ({artifactHash, hashAlgorithm, nonce, certificates}), so the server decodes the DER
//      request into that form. Two fields of the mock's TSTInfo are then re-encoded: the
//      nonce is copied from the request as its exact bytes (the handler takes a JavaScript
//      number, which cannot hold a 64-bit nonce), and the fixed serial number 0xDEADBEEF,
//      which DER reads as a negative INTEGER that sigstore-python's RFC 3161 parser rejects,
//      gets a leading zero byte (the same value, positive).
//   4. Requests the handlers do not know get 404 (a real server would too).

import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const mock = require('@sigstore/mock');
const { generateKeyPair } = require('@sigstore/mock/dist/util/key');

const asn1js = require('asn1js');
const pkijs = require('pkijs');

const FULCIO_PATH = '/api/v2/signingCert';
const REKOR_PATH = '/api/v1/log/entries';
const TSA_PATH = '/api/v1/timestamp';
const HASH_NAMES = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

function portArgument() {
  const at = process.argv.indexOf('--port');
  return at > 0 ? Number(process.argv[at + 1]) : 0;
}

function sha256Hex(data) {
  return createHash('sha256').update(data).digest('hex');
}

// Adaptation 1.
function fulcioBody(raw, headers) {
  const body = JSON.parse(raw);
  const auth = headers.authorization || '';
  const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  let csr = body.certificateSigningRequest;
  if (csr && !csr.includes('-----BEGIN')) {
    csr = Buffer.from(csr, 'base64').toString('utf8');
  }
  return JSON.stringify({
    ...body,
    credentials: body.credentials || { oidcIdentityToken: token },
    certificateSigningRequest: csr,
  });
}

// Adaptation 2.
function rekorBody(raw) {
  const proposed = JSON.parse(raw);
  if (proposed.kind !== 'dsse') {
    return raw;
  }
  const content = proposed.spec.proposedContent;
  const envelope = JSON.parse(content.envelope);
  const payload = Buffer.from(envelope.payload, 'base64');
  return JSON.stringify({
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256Hex(content.envelope) },
      payloadHash: { algorithm: 'sha256', value: sha256Hex(payload) },
      signatures: envelope.signatures.map((s, i) => ({
        signature: s.sig,
        verifier: content.verifiers[Math.min(i, content.verifiers.length - 1)],
      })),
    },
  });
}

// Adaptation 3.
function tsaBody(raw) {
  const bytes = new Uint8Array(raw);
  const req = pkijs.TimeStampReq.fromBER(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const imprint = req.messageImprint;
  const oid = imprint.hashAlgorithm.algorithmId;
  if (!HASH_NAMES[oid]) {
    throw new Error(`unsupported hash algorithm ${oid}`);
  }
  return JSON.stringify({
    artifactHash: Buffer.from(imprint.hashedMessage.valueBlock.valueHexView).toString('base64'),
    hashAlgorithm: HASH_NAMES[oid],
    nonce: req.nonce ? Buffer.from(req.nonce.valueBlock.valueHexView).toString('hex') : undefined,
    certificates: req.certReq === true,
    tsaPolicyOID: req.reqPolicy,
  });
}

function der(bytes) {
  return Buffer.from(bytes).toString('base64');
}

async function main() {
  const port = portArgument();
  const caKeys = generateKeyPair('prime256v1');
  const ctKeys = generateKeyPair('prime256v1');
  const rekorKeys = generateKeyPair('prime256v1');
  const tsaKeys = generateKeyPair('prime256v1');
  const ctlog = await mock.initializeCTLog(ctKeys);
  const ca = await mock.initializeCA(caKeys, ctlog);
  const tsa = await mock.initializeTSA(tsaKeys);
  const tstInfo = tsa.tstInfo.bind(tsa);
  tsa.tstInfo = (req) => {
    const info = tstInfo({ ...req, nonce: 0 });
    if (typeof req.nonce === 'string') {
      info.nonce = new asn1js.Integer({ valueHex: Buffer.from(req.nonce, 'hex') });
    }
    const serial = Buffer.from(info.serialNumber.valueBlock.valueHexView);
    if (serial[0] & 0x80) {
      info.serialNumber = new asn1js.Integer({ valueHex: Buffer.concat([Buffer.from([0]), serial]) });
    }
    return info;
  };
  let tlog = null;

  const routes = new Map();
  routes.set(FULCIO_PATH, { handler: mock.fulcioHandler(ca), adapt: fulcioBody });
  routes.set(TSA_PATH, { handler: mock.tsaHandler(tsa), adapt: tsaBody, binary: true });

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const path = new URL(req.url, 'http://loopback').pathname;
      const route = routes.get(path);
      if (req.method !== 'POST' || !route) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: `no such endpoint: ${req.method} ${path}` }));
        return;
      }
      try {
        const raw = Buffer.concat(chunks);
        const input = route.adapt(route.binary ? raw : raw.toString('utf8'), req.headers);
        const out = await route.handler.fn(input);
        const bytes = typeof out.response === 'string'
          ? Buffer.from(out.response)
          : Buffer.from(out.response.buffer, out.response.byteOffset, out.response.byteLength);
        const type = out.statusCode >= 400 ? 'application/json' : out.contentType || 'text/plain';
        res.writeHead(out.statusCode, { 'Content-Type': type });
        res.end(out.statusCode >= 400 ? JSON.stringify({ message: bytes.toString() }) : bytes);
      } catch (err) {
        res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: String(err && err.message ? err.message : err) }));
      }
    });
  });

  server.listen(port, '127.0.0.1', async () => {
    const url = `http://127.0.0.1:${server.address().port}`;
    tlog = await mock.initializeTLog(url, rekorKeys);
    routes.set(REKOR_PATH, { handler: mock.rekorHandler(tlog), adapt: rekorBody });
    const info = {
      url,
      fulcio_root: der(ca.rootCertificate),
      ctlog_key: der(ctlog.publicKey),
      rekor_key: der(tlog.publicKey),
      tsa_chain: [der(tsa.intCertificate), der(tsa.rootCertificate)],
    };
    process.stdout.write(JSON.stringify(info) + '\n');
  });

  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main().catch((err) => {
  process.stderr.write(`sigstore-mock-server: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
