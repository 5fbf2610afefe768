// Command securemail is the SecureMail desktop client and its headless
// subcommands for IT and automation.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"securemail/demo"
	"securemail/ui"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// demoBanner is shown above the lists so that no one mistakes the demo
// data for real mail.
const demoBanner = "Demo mailbox: every person and message is invented, and the mail servers run inside this program on 127.0.0.1."

type options struct {
	demo    bool
	profile string
	version bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var opts options
	fs := flag.NewFlagSet("securemail", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&opts.demo, "demo", false, "run on the built-in demo mailbox with a throw-away profile")
	fs.StringVar(&opts.profile, "profile", "", "profile directory holding the encrypted cache and settings (default: the OS user config directory + /SecureMail)")
	fs.BoolVar(&opts.version, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return opts, err
	}
	if fs.NArg() > 0 {
		return opts, fmt.Errorf("unexpected argument %q; run securemail -h for the flags", fs.Arg(0))
	}
	if opts.demo && opts.profile != "" {
		return opts, errors.New("--demo uses a throw-away profile, so it cannot be combined with --profile")
	}
	return opts, nil
}

// defaultProfile returns the per-user profile directory.
func defaultProfile() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the user config directory: %w; pass --profile DIR", err)
	}
	return filepath.Join(dir, "SecureMail"), nil
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	opts, err := parseFlags(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "securemail:", err)
		return 2
	}
	if opts.version {
		fmt.Println("securemail", version)
		return 0
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if opts.demo {
		if err := runDemo(ctx, log); err != nil {
			log.Error("demo failed", "error", err)
			return 1
		}
		return 0
	}

	profile := opts.profile
	if profile == "" {
		if profile, err = defaultProfile(); err != nil {
			fmt.Fprintln(os.Stderr, "securemail:", err)
			return 1
		}
	}
	// TODO: open the profile's vault and accounts once package client
	// exists; until then only the demo mailbox can be shown.
	fmt.Fprintf(os.Stderr, "securemail: no account is set up in %s yet; run securemail --demo to try the client\n", profile)
	return 1
}

// runDemo starts the demo servers with a throw-away profile, shows the
// main window over them, and removes the profile when the window closes.
func runDemo(ctx context.Context, log *slog.Logger) error {
	profile, err := os.MkdirTemp("", "securemail-demo-profile-")
	if err != nil {
		return fmt.Errorf("create the demo profile directory: %w", err)
	}
	defer func() {
		if err := os.RemoveAll(profile); err != nil {
			log.Error("removing the demo profile failed", "dir", profile, "error", err)
		}
	}()

	srv, err := demo.Start()
	if err != nil {
		return fmt.Errorf("start the demo mail servers: %w", err)
	}
	defer func() {
		if err := srv.Close(); err != nil {
			log.Error("stopping the demo mail servers failed", "error", err)
		}
	}()
	log.Info("demo mail servers started", "imap", srv.IMAPAddr, "smtp", srv.SMTPAddr, "profile", profile)

	ui.Run(ctx, ui.Options{Source: srv.Mailbox(), Banner: demoBanner, Log: log})
	log.Info("main window closed")
	return nil
}
