package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"securemail/client"
	"securemail/crypto/pgp"
	"securemail/ui"
)

const keysUsage = "securemail keys list | keys generate [--address A] [--name NAME] [--rsa] | " +
	"keys export FINGERPRINT | keys import FILE [--key-passphrase-env NAME]"

func cmdKeys(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "securemail: usage:", keysUsage)
		return exitUsage
	}

	fs := newFlagSet("keys "+args[0], stderr)
	var p profileFlags
	var keyPass secretFlags
	p.register(fs)
	var address, name string
	var rsa bool
	switch args[0] {
	case "import":
		keyPass.register(fs, "key-passphrase", "passphrase of the imported key, if it has one")
	case "generate":
		fs.StringVar(&address, "address", "", "address of the key; default: the profile's only account")
		fs.StringVar(&name, "name", "", "name in the key's user ID (default: none)")
		fs.BoolVar(&rsa, "rsa", false, "make an RSA-4096 key instead of Curve25519, for peers without Curve25519")
	}
	rest, st := parseArgs(fs, args[1:])
	if st >= 0 {
		return st
	}

	switch args[0] {
	case "list":
		if !checkArgs(stderr, rest, 0, 0, "securemail keys list") {
			return exitUsage
		}
		return withClient(&p, stderr, func(c *client.Client) int { return listKeys(c, stdout, stderr) })
	case "generate":
		if !checkArgs(stderr, rest, 0, 0, "securemail keys generate [--address A] [--name NAME] [--rsa]") {
			return exitUsage
		}
		return withClient(&p, stderr, func(c *client.Client) int { return generateKey(c, address, name, rsa, stdout, stderr) })
	case "export":
		if !checkArgs(stderr, rest, 1, 1, "securemail keys export FINGERPRINT") {
			return exitUsage
		}
		// keys list prints fingerprints in groups of four, so the
		// spaces are dropped before the lookup.
		fingerprint := strings.Join(strings.Fields(rest[0]), "")
		return withClient(&p, stderr, func(c *client.Client) int {
			armored, err := c.ExportPublicKey(fingerprint)
			if err != nil {
				return fail(stderr, err)
			}
			fmt.Fprint(stdout, armored)
			return exitOK
		})
	case "import":
		if !checkArgs(stderr, rest, 1, 1, "securemail keys import FILE [--key-passphrase-env NAME]") {
			return exitUsage
		}
		return importKeys(&p, &keyPass, rest[0], stdout, stderr)
	}
	fmt.Fprintf(stderr, "securemail: unknown keys command %q; use list, generate, export or import\n", args[0])
	return exitUsage
}

func listKeys(c *client.Client, stdout, stderr io.Writer) int {
	keys, err := c.Keys()
	if err != nil {
		return fail(stderr, err)
	}
	if len(keys) == 0 {
		fmt.Fprintln(stdout, "no keys in this profile")
		return exitOK
	}
	for _, k := range keys {
		fmt.Fprintln(stdout, ui.KeySummary(ui.KeyEntry{Own: k.Own, Scheme: k.Scheme, Addresses: k.UserIDs,
			Fingerprint: k.Fingerprint, Expires: k.Expires, Trust: k.Trust, Changed: k.Changed}))
	}
	return exitOK
}

// generateKey makes the user's OpenPGP key for address, or for the
// profile's only account when address is empty.
func generateKey(c *client.Client, address, name string, rsa bool, stdout, stderr io.Writer) int {
	if address == "" {
		a, err := chooseAccount(c, "", "--address")
		if err != nil {
			fmt.Fprintln(stderr, "securemail:", err)
			return exitUsage
		}
		address = a.Address
	}
	info, err := c.GenerateKey(name, address, rsa)
	if err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "OpenPGP key %s generated for %s\n", info.Fingerprint, address)
	return exitOK
}

// importKeys imports the OpenPGP keys in path. A protected secret key
// without --key-passphrase-fd or --key-passphrase-env is reported as
// such before the vault opens.
func importKeys(p *profileFlags, keyPass *secretFlags, path string, stdout, stderr io.Writer) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return fail(stderr, err)
	}
	var pass []byte
	if keyPass.set() {
		if pass, err = keyPass.read("key-passphrase"); err != nil {
			fmt.Fprintln(stderr, "securemail:", err)
			return exitUsage
		}
		defer clear(pass)
	} else if hasProtectedSecretKey(data) {
		fmt.Fprintf(stderr, "securemail: the secret key in %s is protected by a passphrase; pass it with --key-passphrase-env NAME or --key-passphrase-fd N\n", path)
		return exitUsage
	}
	return withClient(p, stderr, func(c *client.Client) int {
		keys, err := c.ImportOpenPGP(data, pass)
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintln(stdout, countNoun(len(keys), "key", "keys"), "imported")
		// An import binds a contact's key as verified, so the user sees
		// what to compare with the owner, for example by phone.
		for _, k := range keys {
			kind := "contact key, marked verified: compare the fingerprint with its owner"
			if k.Own {
				kind = "your own key"
			}
			fmt.Fprintf(stdout, "  %s  %s  (%s)\n", k.Fingerprint, strings.Join(k.UserIDs, ", "), kind)
		}
		return exitOK
	})
}

// hasProtectedSecretKey reports whether data contains a secret key that
// needs a passphrase. Data that does not parse is left to the import,
// which reports why.
func hasProtectedSecretKey(data []byte) bool {
	keys, err := pgp.ReadKeys(data)
	if err != nil {
		return false
	}
	for _, k := range keys {
		if k.IsPrivate() && k.IsLocked() {
			return true
		}
	}
	return false
}

// countNoun returns n with the singular or plural noun, such as "1 key"
// or "2 keys".
func countNoun(n int, singular, plural string) string {
	if n == 1 {
		return "1 " + singular
	}
	return fmt.Sprintf("%d %s", n, plural)
}
