// Package oauth obtains and keeps OAuth 2.0 tokens for mail accounts. It
// owns the authorization code flow with PKCE (RFC 7636) and a loopback
// redirect in the system browser (RFC 8252), the provider presets for
// Microsoft 365 and Google Workspace, refresh, and token storage as
// sealed records.
package oauth
