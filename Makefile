# The two entry points the README names. Both install the Debian packages
# they need when missing (see scripts/deps).

GO ?= go
BIN := bin/securemail

.PHONY: test demo build clean

# test runs vet, the race-enabled tests against Dovecot, Postfix and
# gnome-keyring, the GUI smoke test under Xvfb, and the cross builds.
test:
	scripts/test

# demo builds the GUI and runs it on the embedded demo mailbox.
demo: build
	$(BIN) --demo

build:
	scripts/deps gui
	$(GO) build -tags migrated_fynedo -o $(BIN) ./cmd/securemail

clean:
	rm -rf bin
