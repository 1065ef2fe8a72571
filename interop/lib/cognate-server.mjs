// Starts `cognate serve` for the node interop tests.
//
// The binary is $COGNATE_BIN (exported by scripts/test), else target/debug/cognate. The server
// listens on an ephemeral loopback port (dev mode: admin calls with any SigV4 signature are
// accepted, codes are readable at /_cognate/outbox) with a temporary data directory, and is
// stopped with SIGTERM.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = process.env.COGNATE_BIN ?? path.join(ROOT, 'target', 'debug', 'cognate');
export const REGION = 'us-east-1';

export async function startServer({ config } = {}) {
  if (!existsSync(BIN)) {
    throw new Error(`cognate binary not found at ${BIN}; build it or set COGNATE_BIN`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'cognate-interop-js-'));
  const args = ['serve', '--listen', '127.0.0.1:0', '--data', path.join(dir, 'data')];
  if (config !== undefined) {
    const file = path.join(dir, 'cognate.toml');
    writeFileSync(file, config);
    args.push('--config', file);
  }
  const child = spawn(BIN, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'info' },
  });
  const output = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => output.push(d));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cognate serve did not start:\n${output.join('')}`));
    }, 60_000);
    lines.on('line', (line) => {
      output.push(`${line}\n`);
      const m = /^listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cognate serve exited ${code}:\n${output.join('')}`));
    });
  });

  return {
    url,
    output: () => output.join(''),
    issuer: (poolId) => `${url}/${poolId}`,
    jwksUri: (poolId) => `${url}/${poolId}/.well-known/jwks.json`,
    /** A JS SDK v3 client with only the endpoint changed and dummy credentials. */
    client: () =>
      new CognitoIdentityProviderClient({
        region: REGION,
        endpoint: url,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
        maxAttempts: 1,
      }),
    async getJson(p) {
      const r = await fetch(`${url}${p}`);
      if (r.status !== 200) throw new Error(`GET ${p}: ${r.status} ${await r.text()}`);
      return r.json();
    },
    async lastCode(poolId, username) {
      const q = new URLSearchParams({ pool: poolId, username });
      const { messages } = await this.getJson(`/_cognate/outbox?${q}`);
      if (messages.length === 0) throw new Error(`no message sent to ${username} in ${poolId}`);
      return messages[messages.length - 1].code;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits for the next TOTP time step to begin (the server refuses a step already used). */
export async function nextTotpStep(period = 30) {
  const now = Date.now() / 1000;
  await new Promise((r) => setTimeout(r, (period - (now % period) + 0.5) * 1000));
}
