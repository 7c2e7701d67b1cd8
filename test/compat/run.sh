#!/usr/bin/env bash
# Runs the npm SDK compatibility test (amazon-cognito-identity-js and
# @aws-sdk/client-cognito-identity-provider, aws-jwt-verify and openid-client
# against `cognate serve`).
# Set COGNATE_BIN to use a prebuilt binary; otherwise the test runs go build.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
npm ci --no-audit --no-fund
node --test compat.test.mjs
