// Compatibility test: the real npm Cognito SDKs against a `cognate serve`
// started here. Run with `node --test` in this folder (see README.md).
//
// COGNATE_BIN names a prebuilt binary; without it the test runs
// `go build` from the repository root into a temp dir.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import cognitoJS from 'amazon-cognito-identity-js';
import { authenticator } from 'otplib';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  CreateUserPoolClientCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  InitiateAuthCommand,
  UpdateUserAttributesCommand,
  GetUserCommand,
  VerifyUserAttributeCommand,
  GetTokensFromRefreshTokenCommand,
  CreateGroupCommand,
  AdminAddUserToGroupCommand,
  SetUserPoolMfaConfigCommand,
  AdminSetUserMFAPreferenceCommand,
  CreateUserPoolDomainCommand,
  CreateResourceServerCommand,
  CreateIdentityProviderCommand,
  DescribeUserPoolClientCommand,
  NotAuthorizedException,
  RefreshTokenReuseException,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier, JwtRsaVerifier } from 'aws-jwt-verify';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { CognitoJwtInvalidGroupError, JwtInvalidSignatureError } from 'aws-jwt-verify/error';
import * as oidc from 'openid-client';

const { CognitoUserPool, CognitoUser, AuthenticationDetails, CognitoUserAttribute } = cognitoJS;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PASSWORD = 'Passw0rd!';
const USERNAME = 'jane';
const STEP_TIMEOUT = 30_000;

/** State shared by the tests, which run in order. */
const env = {
  tmp: '',
  bin: '',
  proc: null,
  logs: '',
  url: '',
  admin: null,
  poolId: '',
  srpClientId: '',
  passwordClientId: '',
  cognitoUser: null,
};

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url, proc, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) {
      throw new Error(`cognate serve exited with ${proc.exitCode}:\n${env.logs}`);
    }
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`cognate serve not healthy after ${deadlineMs} ms:\n${env.logs}`);
}

/**
 * Starts `cognate serve` on a free port with its own data directory and
 * the extra flags; its output is appended to env.logs.
 */
async function startCognate(dataDir, extra = []) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(env.bin, ['serve', '--listen', `127.0.0.1:${port}`, '--data', dataDir, '--log-level', 'warn', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.on('data', (d) => { env.logs += d; });
  proc.stderr.on('data', (d) => { env.logs += d; });
  await waitForHealth(url, proc, 30_000);
  return { proc, url };
}

async function stopCognate(proc) {
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Newest outbox message for the user and attribute. */
async function lastCode(attributeName, poolId = env.poolId, username = USERNAME) {
  const q = new URLSearchParams({ userPoolId: poolId, username, attributeName });
  const r = await fetch(`${env.url}/_cognate/messages?${q}`, { signal: AbortSignal.timeout(STEP_TIMEOUT) });
  assert.equal(r.status, 200);
  const body = await r.json();
  assert.ok(body.Messages.length > 0, `no message for ${attributeName}`);
  assert.match(body.Messages[0].Code, /^\d{6}$/);
  return body.Messages[0].Code;
}

function attributeMap(list) {
  return Object.fromEntries(list.map((a) => [a.Name ?? a.getName(), a.Value ?? a.getValue()]));
}

// Promise wrappers for amazon-cognito-identity-js's callback API.
function jsSignIn(user, password) {
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: user.getUsername(), Password: password }), {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: () => reject(new Error('unexpected NEW_PASSWORD_REQUIRED')),
      mfaRequired: () => reject(new Error('unexpected SMS_MFA')),
      totpRequired: () => reject(new Error('unexpected SOFTWARE_TOKEN_MFA')),
      customChallenge: () => reject(new Error('unexpected CUSTOM_CHALLENGE')),
    });
  });
}

function jsCall(fn) {
  return new Promise((resolve, reject) => fn((err, ...rest) => (err ? reject(err) : resolve(rest))));
}

before(async () => {
  env.tmp = mkdtempSync(path.join(tmpdir(), 'cognate-compat-'));
  let bin = process.env.COGNATE_BIN;
  if (!bin) {
    bin = path.join(env.tmp, 'cognate');
    execFileSync('go', ['build', '-o', bin, './cmd/cognate'], { cwd: repoRoot, stdio: 'inherit', timeout: 600_000 });
  }
  env.bin = bin;
  const srv = await startCognate(path.join(env.tmp, 'data'));
  env.proc = srv.proc;
  env.url = srv.url;

  env.admin = new CognitoIdentityProviderClient({
    region: 'us-east-1',
    endpoint: env.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const pool = await env.admin.send(new CreateUserPoolCommand({
    PoolName: 'compat',
    AutoVerifiedAttributes: ['email'],
    Schema: [{ Name: 'tier', AttributeDataType: 'String', Mutable: true }],
  }));
  env.poolId = pool.UserPool.Id;
  const srpClient = await env.admin.send(new CreateUserPoolClientCommand({
    UserPoolId: env.poolId,
    ClientName: 'browser',
    ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }));
  env.srpClientId = srpClient.UserPoolClient.ClientId;
  assert.equal(srpClient.UserPoolClient.ClientSecret, undefined);
  const pwClient = await env.admin.send(new CreateUserPoolClientCommand({
    UserPoolId: env.poolId,
    ClientName: 'server',
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }));
  env.passwordClientId = pwClient.UserPoolClient.ClientId;
  await env.admin.send(new AdminCreateUserCommand({
    UserPoolId: env.poolId,
    Username: USERNAME,
    MessageAction: 'SUPPRESS',
    UserAttributes: [
      { Name: 'email', Value: 'jane@example.com' },
      { Name: 'given_name', Value: 'Jane' },
    ],
  }));
  await env.admin.send(new AdminSetUserPasswordCommand({
    UserPoolId: env.poolId, Username: USERNAME, Password: PASSWORD, Permanent: true,
  }));
}, { timeout: 900_000 });

after(async () => {
  env.admin?.destroy();
  await stopCognate(env.proc);
  if (env.tmp) rmSync(env.tmp, { recursive: true, force: true });
}, { timeout: 30_000 });

test('amazon-cognito-identity-js: SRP sign-in', { timeout: STEP_TIMEOUT }, async () => {
  const pool = new CognitoUserPool({ UserPoolId: env.poolId, ClientId: env.srpClientId, endpoint: `${env.url}/` });
  env.cognitoUser = new CognitoUser({ Username: USERNAME, Pool: pool });
  const session = await jsSignIn(env.cognitoUser, PASSWORD);
  assert.ok(session.isValid());
  const access = session.getAccessToken().decodePayload();
  assert.equal(access.username, USERNAME);
  assert.equal(access.client_id, env.srpClientId);
  assert.equal(access.token_use, 'access');
  assert.equal(access.iss, `${env.url}/${env.poolId}`);
  const id = session.getIdToken().decodePayload();
  assert.equal(id['cognito:username'], USERNAME);
  assert.equal(id.aud, env.srpClientId);
  assert.ok(session.getRefreshToken().getToken());
});

test('amazon-cognito-identity-js: wrong password', { timeout: STEP_TIMEOUT }, async () => {
  const pool = new CognitoUserPool({ UserPoolId: env.poolId, ClientId: env.srpClientId, endpoint: `${env.url}/` });
  const user = new CognitoUser({ Username: USERNAME, Pool: pool });
  await assert.rejects(jsSignIn(user, 'Wr0ngPassword!'), (err) => {
    assert.equal(err.code, 'NotAuthorizedException');
    assert.equal(err.name, 'NotAuthorizedException');
    assert.equal(err.message, 'Incorrect username or password.');
    return true;
  });
});

test('amazon-cognito-identity-js: attributes', { timeout: STEP_TIMEOUT }, async () => {
  const user = env.cognitoUser;
  let [attrs] = await jsCall((cb) => user.getUserAttributes(cb));
  let got = attributeMap(attrs);
  assert.equal(got.email, 'jane@example.com');
  assert.equal(got.email_verified, 'false');
  assert.equal(got.given_name, 'Jane');
  assert.match(got.sub, /^[0-9a-f-]{36}$/);

  const [result] = await jsCall((cb) => user.updateAttributes([
    new CognitoUserAttribute({ Name: 'given_name', Value: '' }),
    new CognitoUserAttribute({ Name: 'custom:tier', Value: 'gold' }),
  ], cb));
  assert.equal(result, 'SUCCESS');
  [attrs] = await jsCall((cb) => user.getUserAttributes(cb));
  got = attributeMap(attrs);
  assert.equal(got.given_name, undefined, 'a blank value deletes the attribute');
  assert.equal(got['custom:tier'], 'gold');

  const delivery = await new Promise((resolve, reject) => user.getAttributeVerificationCode('email', {
    onSuccess: resolve,
    onFailure: reject,
    inputVerificationCode: resolve,
  }));
  assert.equal(delivery.CodeDeliveryDetails.AttributeName, 'email');
  assert.equal(delivery.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
  assert.equal(delivery.CodeDeliveryDetails.Destination, 'j***@e***');
  const code = await lastCode('email');
  const verified = await new Promise((resolve, reject) => user.verifyAttribute('email', code, {
    onSuccess: resolve,
    onFailure: reject,
  }));
  assert.equal(verified, 'SUCCESS');
  [attrs] = await jsCall((cb) => user.getUserAttributes(cb));
  assert.equal(attributeMap(attrs).email_verified, 'true');
});

test('amazon-cognito-identity-js: refresh session', { timeout: STEP_TIMEOUT }, async () => {
  const user = env.cognitoUser;
  const refresh = user.getSignInUserSession().getRefreshToken();
  const [session] = await jsCall((cb) => user.refreshSession(refresh, cb));
  assert.ok(session.isValid());
  assert.equal(session.getAccessToken().decodePayload().username, USERNAME);
});

test('@aws-sdk/client-cognito-identity-provider: password sign-in and attributes', { timeout: STEP_TIMEOUT }, async () => {
  // As a browser app uses it: no AWS credentials, these calls are unsigned.
  const client = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: env.url, maxAttempts: 1 });
  try {
    const auth = await client.send(new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: env.passwordClientId,
      AuthParameters: { USERNAME, PASSWORD },
    }));
    assert.equal(auth.ChallengeName, undefined);
    const accessToken = auth.AuthenticationResult.AccessToken;
    assert.ok(accessToken);
    assert.equal(auth.AuthenticationResult.TokenType, 'Bearer');
    assert.equal(auth.AuthenticationResult.ExpiresIn, 3600);

    const upd = await client.send(new UpdateUserAttributesCommand({
      AccessToken: accessToken,
      UserAttributes: [
        { Name: 'email', Value: 'jane.doe@example.org' },
        { Name: 'custom:tier', Value: 'platinum' },
      ],
    }));
    assert.deepEqual(upd.CodeDeliveryDetailsList, [
      { AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: 'j***@e***' },
    ]);

    let me = await client.send(new GetUserCommand({ AccessToken: accessToken }));
    assert.equal(me.Username, USERNAME);
    let got = attributeMap(me.UserAttributes);
    assert.equal(got.email, 'jane.doe@example.org');
    assert.equal(got.email_verified, 'false');
    assert.equal(got['custom:tier'], 'platinum');

    await client.send(new VerifyUserAttributeCommand({
      AccessToken: accessToken, AttributeName: 'email', Code: await lastCode('email'),
    }));
    me = await client.send(new GetUserCommand({ AccessToken: accessToken }));
    got = attributeMap(me.UserAttributes);
    assert.equal(got.email_verified, 'true');
  } finally {
    client.destroy();
  }
});

test('@aws-sdk/client-cognito-identity-provider: errors are typed', { timeout: STEP_TIMEOUT }, async () => {
  await assert.rejects(env.admin.send(new InitiateAuthCommand({
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: env.passwordClientId,
    AuthParameters: { USERNAME, PASSWORD: 'Wr0ngPassword!' },
  })), (err) => {
    assert.ok(err instanceof NotAuthorizedException, `got ${err.name}`);
    assert.equal(err.name, 'NotAuthorizedException');
    assert.equal(err.message, 'Incorrect username or password.');
    assert.equal(err.$metadata.httpStatusCode, 400);
    return true;
  });
  await assert.rejects(env.admin.send(new InitiateAuthCommand({
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: env.srpClientId,
    AuthParameters: { USERNAME, PASSWORD },
  })), (err) => {
    assert.equal(err.name, 'InvalidParameterException');
    assert.equal(err.message, 'USER_PASSWORD_AUTH flow not enabled for this client');
    return true;
  });
  await assert.rejects(env.admin.send(new GetUserCommand({ AccessToken: 'not-a-token' })), (err) => {
    assert.equal(err.name, 'NotAuthorizedException');
    return true;
  });
});

test('@aws-sdk/client-cognito-identity-provider: Amplify-style refresh through GetTokensFromRefreshToken', { timeout: STEP_TIMEOUT }, async () => {
  // Amplify refreshes with GetTokensFromRefreshToken, unsigned, sending
  // ClientId, RefreshToken and (when set) ClientMetadata.
  const client = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: env.url, maxAttempts: 1 });
  try {
    const signIn = async (clientId) => (await client.send(new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME, PASSWORD },
    }))).AuthenticationResult;

    // Without rotation: new ID and access tokens, no new refresh token.
    const first = await signIn(env.passwordClientId);
    const plain = await client.send(new GetTokensFromRefreshTokenCommand({
      ClientId: env.passwordClientId, RefreshToken: first.RefreshToken, ClientMetadata: { source: 'amplify' },
    }));
    assert.equal(plain.AuthenticationResult.RefreshToken, undefined);
    assert.equal(plain.AuthenticationResult.TokenType, 'Bearer');
    const me = await client.send(new GetUserCommand({ AccessToken: plain.AuthenticationResult.AccessToken }));
    assert.equal(me.Username, USERNAME);

    // With rotation: each refresh hands out the next refresh token, and the
    // old one is refused once the (zero) grace period is over.
    const rotating = await env.admin.send(new CreateUserPoolClientCommand({
      UserPoolId: env.poolId,
      ClientName: 'amplify-rotating',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 },
    }));
    const rotClientId = rotating.UserPoolClient.ClientId;
    assert.deepEqual(rotating.UserPoolClient.RefreshTokenRotation, { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 });
    const start = await signIn(rotClientId);
    const next = await client.send(new GetTokensFromRefreshTokenCommand({ ClientId: rotClientId, RefreshToken: start.RefreshToken }));
    assert.ok(next.AuthenticationResult.RefreshToken);
    assert.notEqual(next.AuthenticationResult.RefreshToken, start.RefreshToken);
    await assert.rejects(client.send(new GetTokensFromRefreshTokenCommand({ ClientId: rotClientId, RefreshToken: start.RefreshToken })), (err) => {
      assert.ok(err instanceof RefreshTokenReuseException, `got ${err.name}: ${err.message}`);
      return true;
    });
    const after = await client.send(new GetTokensFromRefreshTokenCommand({
      ClientId: rotClientId, RefreshToken: next.AuthenticationResult.RefreshToken,
    }));
    assert.ok(after.AuthenticationResult.AccessToken);
    assert.ok(after.AuthenticationResult.RefreshToken);
  } finally {
    client.destroy();
  }
});

test('aws-jwt-verify: cognito:groups passes a groups check', { timeout: 60_000 }, async () => {
  // aws-jwt-verify expects Cognito's own issuer, so this server issues
  // tokens as https://cognito-idp.us-east-1.amazonaws.com/<pool> and the
  // verifier is handed the pool's JWKS from the server instead of fetching
  // it from AWS.
  const srv = await startCognate(path.join(env.tmp, 'data-aws-issuer'), ['--public-url', 'https://cognito-idp.us-east-1.amazonaws.com']);
  const admin = new CognitoIdentityProviderClient({
    region: 'us-east-1', endpoint: srv.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1,
  });
  try {
    const poolId = (await admin.send(new CreateUserPoolCommand({ PoolName: 'verify' }))).UserPool.Id;
    const clientId = (await admin.send(new CreateUserPoolClientCommand({
      UserPoolId: poolId, ClientName: 'api', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }))).UserPoolClient.ClientId;
    await admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'ann', MessageAction: 'SUPPRESS' }));
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'ann', Password: PASSWORD, Permanent: true }));
    await admin.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admins', Precedence: 1 }));
    await admin.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'staff', Precedence: 2 }));
    await admin.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'ann', GroupName: 'staff' }));
    await admin.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'ann', GroupName: 'admins' }));
    const tokens = (await admin.send(new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'ann', PASSWORD },
    }))).AuthenticationResult;

    const jwks = await (await fetch(`${srv.url}/${poolId}/.well-known/jwks.json`)).json();
    for (const tokenUse of ['access', 'id']) {
      const verifier = CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse, clientId, groups: 'admins' });
      verifier.cacheJwks(jwks);
      const token = tokenUse === 'access' ? tokens.AccessToken : tokens.IdToken;
      const payload = await verifier.verify(token);
      assert.deepEqual(payload['cognito:groups'], ['admins', 'staff'], 'groups in precedence order');
      assert.equal(payload.iss, `https://cognito-idp.us-east-1.amazonaws.com/${poolId}`);

      const strict = CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse, clientId, groups: ['auditors'] });
      strict.cacheJwks(jwks);
      await assert.rejects(strict.verify(token), CognitoJwtInvalidGroupError);
    }
    // A token altered after signing fails, whatever its groups say.
    const verifier = CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse: 'access', clientId, groups: 'root' });
    verifier.cacheJwks(jwks);
    const [h, p, sig] = tokens.AccessToken.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    claims['cognito:groups'] = ['root'];
    const forged = [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), sig].join('.');
    await assert.rejects(verifier.verify(forged), JwtInvalidSignatureError);
  } finally {
    admin.destroy();
    await stopCognate(srv.proc);
  }
});

test('token verification against a default local server: aws-jwt-verify and jose', { timeout: STEP_TIMEOUT }, async () => {
  // The default issuer is http://127.0.0.1:<port>/<pool>. aws-jwt-verify
  // fetches JWKS over https only, so the recipe hands it the JWKS; jose
  // fetches it itself.
  const auth = await env.admin.send(new InitiateAuthCommand({
    AuthFlow: 'USER_PASSWORD_AUTH', ClientId: env.passwordClientId, AuthParameters: { USERNAME, PASSWORD },
  }));
  const { AccessToken, IdToken } = auth.AuthenticationResult;
  const issuer = `${env.url}/${env.poolId}`;
  const jwksUri = `${issuer}/.well-known/jwks.json`;

  const verifier = JwtRsaVerifier.create({ issuer, audience: null, jwksUri });
  verifier.cacheJwks(await (await fetch(jwksUri)).json());
  const access = await verifier.verify(AccessToken);
  assert.equal(access.username, USERNAME);
  assert.equal(access.client_id, env.passwordClientId);
  const idVerifier = JwtRsaVerifier.create({ issuer, audience: env.passwordClientId, jwksUri, customJwtCheck: ({ payload }) => {
    if (payload.token_use !== 'id') throw new Error('not an ID token');
  } });
  idVerifier.cacheJwks(await (await fetch(jwksUri)).json());
  assert.equal((await idVerifier.verify(IdToken))['cognito:username'], USERNAME);
  await assert.rejects(idVerifier.verify(AccessToken));

  const JWKS = createRemoteJWKSet(new URL(jwksUri));
  const { payload, protectedHeader } = await jwtVerify(IdToken, JWKS, { issuer, audience: env.passwordClientId, algorithms: ['RS256'] });
  assert.equal(protectedHeader.alg, 'RS256');
  assert.equal(payload.token_use, 'id');
  assert.equal(payload['cognito:username'], USERNAME);
  const other = JSON.parse(Buffer.from(AccessToken.split('.')[1], 'base64url'));
  other.username = 'mallory';
  const [h, , sig] = AccessToken.split('.');
  await assert.rejects(jwtVerify([h, Buffer.from(JSON.stringify(other)).toString('base64url'), sig].join('.'), JWKS, { issuer }));
});

// --- MFA through amazon-cognito-identity-js, with otplib as the authenticator app.

/** Creates a pool with the MFA configuration, an SRP client and a user. */
async function mfaPool(mfa, username, attributes = [], poolSettings = {}) {
  const pool = await env.admin.send(new CreateUserPoolCommand({ PoolName: `mfa-${username}`, ...poolSettings }));
  const poolId = pool.UserPool.Id;
  await env.admin.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, ...mfa }));
  const client = await env.admin.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'browser', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }));
  await env.admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS', UserAttributes: attributes }));
  await env.admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
  const userPool = new CognitoUserPool({ UserPoolId: poolId, ClientId: client.UserPoolClient.ClientId, endpoint: `${env.url}/` });
  return { poolId, user: () => new CognitoUser({ Username: username, Pool: userPool }) };
}

/**
 * Starts authenticateUser and resolves with the first callback it calls:
 * { kind, challengeName, params } for a challenge, { kind: 'success', session }.
 */
function jsSignInStep(user) {
  return new Promise((resolve, reject) => {
    const step = (kind) => (challengeName, params) => resolve({ kind, challengeName, params });
    user.authenticateUser(new AuthenticationDetails({ Username: user.getUsername(), Password: PASSWORD }), {
      onSuccess: (session) => resolve({ kind: 'success', session }),
      onFailure: reject,
      mfaRequired: step('mfaRequired'),
      totpRequired: step('totpRequired'),
      mfaSetup: step('mfaSetup'),
      selectMFAType: step('selectMFAType'),
      newPasswordRequired: () => reject(new Error('unexpected NEW_PASSWORD_REQUIRED')),
      customChallenge: () => reject(new Error('unexpected CUSTOM_CHALLENGE')),
    });
  });
}

function jsSendMFACode(user, code, type) {
  return new Promise((resolve, reject) => user.sendMFACode(code, { onSuccess: resolve, onFailure: reject }, type));
}

function jsAssociate(user) {
  return new Promise((resolve, reject) => user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }));
}

function jsVerify(user, code) {
  return new Promise((resolve, reject) => user.verifySoftwareToken(code, 'phone', { onSuccess: resolve, onFailure: reject }));
}

/** The authenticator's code one step ahead: not used yet, and inside the window Cognito allows. */
function nextTOTP(secret) {
  return authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret);
}

test('amazon-cognito-identity-js: TOTP set up while signing in (MFA_SETUP), then SOFTWARE_TOKEN_MFA', { timeout: STEP_TIMEOUT }, async () => {
  const { user } = await mfaPool({ MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true } }, 'tess');
  const u = user();
  const step = await jsSignInStep(u);
  assert.equal(step.kind, 'mfaSetup');
  assert.equal(step.challengeName, 'MFA_SETUP');
  const secret = await jsAssociate(u);
  assert.match(secret, /^[A-Z2-7]{52}$/);
  await assert.rejects(jsVerify(u, '000000'), (err) => {
    assert.equal(err.code, 'EnableSoftwareTokenMFAException');
    assert.equal(err.message, 'Code mismatch and fail enable Software Token MFA');
    return true;
  });
  const session = await jsVerify(u, authenticator.generate(secret));
  assert.ok(session.isValid(), 'verifySoftwareToken answers MFA_SETUP and signs in');
  assert.equal(session.getAccessToken().decodePayload().username, 'tess');

  const again = user();
  const next = await jsSignInStep(again);
  assert.equal(next.kind, 'totpRequired');
  assert.equal(next.challengeName, 'SOFTWARE_TOKEN_MFA');
  const signedIn = await jsSendMFACode(again, nextTOTP(secret), 'SOFTWARE_TOKEN_MFA');
  assert.ok(signedIn.isValid());
});

test('amazon-cognito-identity-js: SMS MFA code from the outbox, then TOTP turned on by the user', { timeout: STEP_TIMEOUT }, async () => {
  const { poolId, user } = await mfaPool({
    MfaConfiguration: 'OPTIONAL',
    SmsMfaConfiguration: { SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/sns', ExternalId: 'x' } },
    SoftwareTokenMfaConfiguration: { Enabled: true },
  }, 'sam', [{ Name: 'phone_number', Value: '+15555550123' }, { Name: 'phone_number_verified', Value: 'true' }]);
  await env.admin.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'sam', SMSMfaSettings: { Enabled: true } }));

  const u = user();
  const step = await jsSignInStep(u);
  assert.equal(step.kind, 'mfaRequired');
  assert.equal(step.challengeName, 'SMS_MFA');
  assert.equal(step.params.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
  const code = await lastCode('phone_number', poolId, 'sam');
  await assert.rejects(jsSendMFACode(u, code === '000000' ? '111111' : '000000'), (err) => {
    assert.equal(err.code, 'CodeMismatchException');
    assert.equal(err.message, 'Invalid code or auth state for the user.');
    return true;
  });
  const session = await jsSendMFACode(u, code);
  assert.ok(session.isValid());

  // Signed in, the user adds an authenticator and prefers it.
  const secret = await jsAssociate(u);
  assert.equal(await jsVerify(u, authenticator.generate(secret)).then((r) => r.Status), 'SUCCESS');
  await jsCall((cb) => u.setUserMfaPreference(null, { Enabled: true, PreferredMfa: true }, cb));
  const [data] = await jsCall((cb) => u.getUserData(cb, { bypassCache: true }));
  assert.deepEqual(data.UserMFASettingList, ['SMS_MFA', 'SOFTWARE_TOKEN_MFA']);
  assert.equal(data.PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA');

  const again = user();
  const next = await jsSignInStep(again);
  assert.equal(next.kind, 'totpRequired');
  assert.ok((await jsSendMFACode(again, nextTOTP(secret), 'SOFTWARE_TOKEN_MFA')).isValid());
});

test('amazon-cognito-identity-js: a remembered device signs in without MFA (setDeviceStatusRemembered)', { timeout: STEP_TIMEOUT }, async () => {
  const { user } = await mfaPool({ MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } }, 'dee', [],
    { DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true } });
  const u = user();
  // The first sign-in confirms the device the library generated a secret for.
  const first = await new Promise((resolve, reject) => u.authenticateUser(
    new AuthenticationDetails({ Username: 'dee', Password: PASSWORD }),
    { onSuccess: (session, confirmationNecessary) => resolve({ session, confirmationNecessary }), onFailure: reject },
  ));
  assert.ok(first.session.isValid());
  assert.equal(first.confirmationNecessary, true, 'the pool asks the user before remembering');
  const secret = await jsAssociate(u);
  await jsVerify(u, authenticator.generate(secret));
  await jsCall((cb) => u.setUserMfaPreference(null, { Enabled: true, PreferredMfa: true }, cb));

  // Not remembered yet: MFA is asked.
  const asked = await jsSignInStep(user());
  assert.equal(asked.kind, 'totpRequired');

  const remembered = await new Promise((resolve, reject) => u.setDeviceStatusRemembered({ onSuccess: resolve, onFailure: reject }));
  assert.equal(remembered, 'SUCCESS');
  const [devices] = await new Promise((resolve, reject) => u.listDevices(10, null, { onSuccess: (r) => resolve([r]), onFailure: reject }));
  assert.equal(devices.Devices.length, 1);
  const status = Object.fromEntries(devices.Devices[0].DeviceAttributes.map((a) => [a.Name, a.Value]));
  assert.equal(status['dev:device_remembered_status'], 'remembered');

  // Remembered: the library answers DEVICE_SRP_AUTH and no code is asked.
  const skipped = await jsSignInStep(user());
  assert.equal(skipped.kind, 'success');
  assert.equal(skipped.session.getAccessToken().decodePayload().device_key, devices.Devices[0].DeviceKey);

  // Forgotten: MFA again.
  await new Promise((resolve, reject) => u.forgetDevice({ onSuccess: resolve, onFailure: reject }));
  const again = await jsSignInStep(user());
  assert.equal(again.kind, 'totpRequired');
});

// --- Custom authentication through amazon-cognito-identity-js, against a
// Lambda Invoke API served here that runs scripted challenge functions.

/** Serves POST /2015-03-31/functions/<name>/invocations with handlers[name](event). */
async function startLambda(handlers) {
  const srv = http.createServer((req, res) => {
    const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url);
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const h = m && handlers[decodeURIComponent(m[1])];
      if (!h) {
        res.writeHead(404, { 'Content-Type': 'application/json', 'X-Amzn-ErrorType': 'ResourceNotFoundException' });
        res.end(JSON.stringify({ Type: 'User', Message: 'Function not found' }));
        return;
      }
      const event = JSON.parse(body);
      h(event);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(event));
    });
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${srv.address().port}`, close: () => new Promise((r) => srv.close(r)) };
}

test('amazon-cognito-identity-js: custom auth (initiateAuth, sendCustomChallengeAnswer, and with SRP)', { timeout: 60_000 }, async () => {
  const seen = [];
  const fn = (name) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
  const lambda = await startLambda({
    [fn('define')]: (ev) => {
      const s = ev.request.session;
      const last = s[s.length - 1];
      seen.push(s.map((r) => r.challengeName).join(','));
      if (last && last.challengeName === 'SRP_A') ev.response = { challengeName: 'PASSWORD_VERIFIER', issueTokens: false, failAuthentication: false };
      else if (last && last.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult) ev.response = { issueTokens: true, failAuthentication: false };
      else ev.response = { challengeName: 'CUSTOM_CHALLENGE', issueTokens: false, failAuthentication: false };
    },
    [fn('create')]: (ev) => {
      ev.response = { publicChallengeParameters: { question: 'colour of the sky?' }, privateChallengeParameters: { answer: 'blue' }, challengeMetadata: 'SKY' };
    },
    [fn('verify')]: (ev) => {
      ev.response = { answerCorrect: ev.request.challengeAnswer === ev.request.privateChallengeParameters.answer };
    },
  });
  const srv = await startCognate(path.join(env.tmp, 'data-custom'), ['--lambda-endpoint', lambda.url]);
  try {
    const admin = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: srv.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    const pool = await admin.send(new CreateUserPoolCommand({
      PoolName: 'custom', LambdaConfig: { DefineAuthChallenge: fn('define'), CreateAuthChallenge: fn('create'), VerifyAuthChallengeResponse: fn('verify') },
    }));
    const poolId = pool.UserPool.Id;
    const client = await admin.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'custom', ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }));
    await admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'cora', MessageAction: 'SUPPRESS' }));
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'cora', Password: PASSWORD, Permanent: true }));
    admin.destroy();
    const userPool = new CognitoUserPool({ UserPoolId: poolId, ClientId: client.UserPoolClient.ClientId, endpoint: `${srv.url}/` });

    const answer = (user, text) => new Promise((resolve, reject) => user.sendCustomChallengeAnswer(text, {
      onSuccess: (session) => resolve({ kind: 'success', session }),
      onFailure: reject,
      customChallenge: (params) => resolve({ kind: 'challenge', params }),
    }));

    // Without SRP: initiateAuth, a wrong answer, then the right one.
    const u = new CognitoUser({ Username: 'cora', Pool: userPool });
    u.setAuthenticationFlowType('CUSTOM_AUTH');
    const params = await new Promise((resolve, reject) => u.initiateAuth(new AuthenticationDetails({ Username: 'cora' }), {
      onSuccess: () => reject(new Error('tokens before any challenge')),
      onFailure: reject,
      customChallenge: resolve,
    }));
    assert.equal(params.question, 'colour of the sky?');
    assert.equal(params.USERNAME, 'cora');
    assert.equal(params.answer, undefined, 'private parameters stay on the server');
    const retry = await answer(u, 'green');
    assert.equal(retry.kind, 'challenge');
    const done = await answer(u, 'blue');
    assert.equal(done.kind, 'success');
    assert.ok(done.session.isValid());

    // With SRP: authenticateUser proves the password first.
    const v = new CognitoUser({ Username: 'cora', Pool: userPool });
    v.setAuthenticationFlowType('CUSTOM_AUTH');
    const step = await new Promise((resolve, reject) => v.authenticateUser(new AuthenticationDetails({ Username: 'cora', Password: PASSWORD }), {
      onSuccess: () => reject(new Error('tokens before the custom challenge')),
      onFailure: reject,
      customChallenge: resolve,
    }));
    assert.equal(step.question, 'colour of the sky?');
    assert.equal((await answer(v, 'blue')).kind, 'success');
    assert.ok(seen.includes('SRP_A,PASSWORD_VERIFIER'), `Define saw ${JSON.stringify(seen)}`);
  } finally {
    await stopCognate(srv.proc);
    await lambda.close();
  }
});

/** A browser's cookies for one host, enough to walk the hosted pages. */
class CookieJar {
  constructor() { this.cookies = new Map(); }
  take(res) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      if (/max-age=(-\d+|0)(;|$)/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(i + 1));
    }
  }
  header() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
  async fetch(url, init = {}) {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), cookie: this.header() },
      signal: AbortSignal.timeout(STEP_TIMEOUT) });
    this.take(res);
    return res;
  }
}

function htmlAttr(page, re) {
  const m = page.match(re);
  assert.ok(m, `no ${re} on the page:\n${page}`);
  return m[1].replace(/&amp;/g, '&').replace(/&#43;/g, '+').replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

// openid-client is the relying party under Auth.js/NextAuth: discovery,
// code + PKCE through the hosted login page, ID token checks, userInfo,
// refresh, revocation, and client_credentials with a custom scope.
test('openid-client: code + PKCE through the hosted login, userInfo, refresh, revoke, client_credentials', { timeout: 60_000 }, async () => {
  const redirectURI = 'http://localhost:3000/api/auth/callback/cognito';
  await env.admin.send(new CreateUserPoolDomainCommand({ UserPoolId: env.poolId, Domain: 'compat-oidc' }));
  await env.admin.send(new CreateResourceServerCommand({ UserPoolId: env.poolId, Identifier: 'https://api.example.com', Name: 'api',
    Scopes: [{ ScopeName: 'read', ScopeDescription: 'read' }] }));
  const web = (await env.admin.send(new CreateUserPoolClientCommand({ UserPoolId: env.poolId, ClientName: 'nextjs', GenerateSecret: true,
    AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email', 'profile'],
    CallbackURLs: [redirectURI], SupportedIdentityProviders: ['COGNITO'],
    ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))).UserPoolClient;
  const machine = (await env.admin.send(new CreateUserPoolClientCommand({ UserPoolId: env.poolId, ClientName: 'worker', GenerateSecret: true,
    AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['https://api.example.com/read'] }))).UserPoolClient;

  const issuer = new URL(`${env.url}/${env.poolId}`);
  const insecure = { execute: [oidc.allowInsecureRequests] };
  const config = await oidc.discovery(issuer, web.ClientId, undefined, oidc.ClientSecretBasic(web.ClientSecret), insecure);
  assert.equal(config.serverMetadata().issuer, issuer.href);

  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const authURL = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectURI, scope: 'openid email profile', state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });

  // The browser: authorize, the login page, the form.
  const jar = new CookieJar();
  let res = await jar.fetch(authURL);
  assert.equal(res.status, 302);
  const loginURL = new URL(res.headers.get('location'), authURL);
  res = await jar.fetch(loginURL);
  const page = await res.text();
  assert.equal(res.status, 200, page);
  const form = new URLSearchParams({ _csrf: htmlAttr(page, /name="_csrf" value="([^"]*)"/), step: 'signin', username: USERNAME, password: PASSWORD });
  res = await jar.fetch(new URL(htmlAttr(page, /<form method="post" action="([^"]*)"/), loginURL), {
    method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(res.status, 302, await res.text());
  const callback = new URL(res.headers.get('location'));
  assert.equal(callback.origin + callback.pathname, redirectURI);

  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
  const claims = tokens.claims();
  assert.equal(claims['cognito:username'], USERNAME);
  assert.equal(claims.aud, web.ClientId);
  assert.ok(claims.email, 'the ID token has the email');
  // Cognito's token response has no scope member; the access token does.
  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
  const access = (await jwtVerify(tokens.access_token, jwks, { issuer: issuer.href })).payload;
  assert.deepEqual(access.scope.split(' ').sort(), ['email', 'openid', 'profile']);
  assert.equal(access.client_id, web.ClientId);

  const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(info.email, claims.email);
  assert.equal(info.username, USERNAME);

  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
  assert.ok(refreshed.access_token && refreshed.access_token !== tokens.access_token);
  assert.equal(refreshed.claims().sub, claims.sub);

  await oidc.tokenRevocation(config, tokens.refresh_token);
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (err) => err.error === 'invalid_grant');

  const mconfig = await oidc.discovery(issuer, machine.ClientId, undefined, oidc.ClientSecretPost(machine.ClientSecret), insecure);
  const cc = await oidc.clientCredentialsGrant(mconfig, { scope: 'https://api.example.com/read' });
  assert.equal(cc.token_type.toLowerCase(), 'bearer');
  const { payload } = await jwtVerify(cc.access_token, jwks, { issuer: issuer.href });
  assert.equal(payload.client_id, machine.ClientId);
  assert.equal(payload.scope, 'https://api.example.com/read');
  assert.equal(payload.token_use, 'access');
});

// The same relying party signing in through a pool's upstream OIDC
// provider (identity_provider on authorize): here another pool of the same
// server, whose login page the browser fills in; the downstream pool
// verifies the upstream ID token and issues its own, for the federated
// user Upstream_<sub>.
test('openid-client: code + PKCE through an upstream OIDC provider (identity_provider)', { timeout: 60_000 }, async () => {
  const redirectURI = 'http://localhost:3000/api/auth/callback/cognito';
  const up = (await env.admin.send(new CreateUserPoolCommand({ PoolName: 'compat-upstream' }))).UserPool.Id;
  const down = (await env.admin.send(new CreateUserPoolCommand({ PoolName: 'compat-downstream' }))).UserPool.Id;
  await env.admin.send(new CreateUserPoolDomainCommand({ UserPoolId: up, Domain: 'compat-upstream' }));
  await env.admin.send(new CreateUserPoolDomainCommand({ UserPoolId: down, Domain: 'compat-downstream' }));
  const downIss = `${env.url}/${down}`;
  const upClient = (await env.admin.send(new CreateUserPoolClientCommand({ UserPoolId: up, ClientName: 'downstream', GenerateSecret: true,
    AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email', 'profile'],
    CallbackURLs: [`${downIss}/oauth2/idpresponse`], SupportedIdentityProviders: ['COGNITO'] }))).UserPoolClient;
  await env.admin.send(new AdminCreateUserCommand({ UserPoolId: up, Username: 'uma', MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'email', Value: 'uma@example.com' }, { Name: 'email_verified', Value: 'true' }] }));
  await env.admin.send(new AdminSetUserPasswordCommand({ UserPoolId: up, Username: 'uma', Password: PASSWORD, Permanent: true }));
  await env.admin.send(new CreateIdentityProviderCommand({ UserPoolId: down, ProviderName: 'Upstream', ProviderType: 'OIDC',
    ProviderDetails: { client_id: upClient.ClientId, client_secret: upClient.ClientSecret, attributes_request_method: 'GET',
      oidc_issuer: `${env.url}/${up}`, authorize_scopes: 'openid email profile' },
    AttributeMapping: { email: 'email' } }));
  const web = (await env.admin.send(new CreateUserPoolClientCommand({ UserPoolId: down, ClientName: 'nextjs',
    AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email'],
    CallbackURLs: [redirectURI], SupportedIdentityProviders: ['Upstream'] }))).UserPoolClient;

  const insecure = { execute: [oidc.allowInsecureRequests] };
  const config = await oidc.discovery(new URL(downIss), web.ClientId, undefined, oidc.None(), insecure);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const authURL = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectURI, scope: 'openid email', state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', identity_provider: 'Upstream' });

  // The browser: the downstream authorize sends it to the upstream one,
  // which sends it to its login page.
  const jar = new CookieJar();
  let res = await jar.fetch(authURL);
  assert.equal(res.status, 302);
  let at = new URL(res.headers.get('location'), authURL);
  assert.equal(at.pathname, `/${up}/oauth2/authorize`);
  res = await jar.fetch(at);
  assert.equal(res.status, 302);
  at = new URL(res.headers.get('location'), at);
  res = await jar.fetch(at);
  const page = await res.text();
  assert.equal(res.status, 200, page);
  const form = new URLSearchParams({ _csrf: htmlAttr(page, /name="_csrf" value="([^"]*)"/), step: 'signin', username: 'uma', password: PASSWORD });
  res = await jar.fetch(new URL(htmlAttr(page, /<form method="post" action="([^"]*)"/), at), {
    method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(res.status, 302, await res.text());
  // Back at the downstream pool's idpresponse, then the client's callback.
  at = new URL(res.headers.get('location'), at);
  assert.equal(at.pathname, `/${down}/oauth2/idpresponse`);
  res = await jar.fetch(at);
  assert.equal(res.status, 302, await res.text());
  const callback = new URL(res.headers.get('location'));
  assert.equal(callback.origin + callback.pathname, redirectURI);

  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
  const claims = tokens.claims();
  assert.equal(claims.iss, downIss);
  assert.match(claims['cognito:username'], /^Upstream_[0-9a-f-]{36}$/);
  assert.equal(claims.email, 'uma@example.com');
  const ids = claims.identities;
  assert.equal(ids.length, 1);
  assert.equal(ids[0].providerName, 'Upstream');
  assert.equal(ids[0].providerType, 'OIDC');
  const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(info.email, 'uma@example.com');
});
