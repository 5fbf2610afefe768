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
	"syscall"
	"time"

	"securemail/cache"
	"securemail/demo"
	"securemail/ui"
)

// demoBanner is shown above the lists so that no one mistakes the demo
// data for real mail.
const demoBanner = "Demo mailbox: every person and message is invented, and the mail servers run inside this program on 127.0.0.1. Passphrase: " + demo.Passphrase

type options struct {
	demo       bool
	profile    string
	version    bool
	passphrase secretFlags
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var opts options
	fs := flag.NewFlagSet("securemail", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&opts.demo, "demo", false, "run on the built-in demo mailbox with a throw-away profile")
	fs.StringVar(&opts.profile, "profile", "", "profile directory holding the encrypted cache and settings (default: the OS user config directory + /SecureMail/profiles/default)")
	fs.BoolVar(&opts.version, "version", false, "print the version and exit")
	opts.passphrase.register(fs, "passphrase", "vault passphrase to unlock with as the window opens, for a start by another program (a wrong one leaves the unlock window)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: securemail [--demo | --profile DIR [--passphrase-fd N | --passphrase-env NAME]] | securemail COMMAND ...")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nRun securemail help for the headless commands.")
	}
	if err := fs.Parse(args); err != nil {
		return opts, err
	}
	if fs.NArg() > 0 {
		return opts, fmt.Errorf("unexpected argument %q; run securemail -h for the flags", fs.Arg(0))
	}
	if opts.demo && opts.profile != "" {
		return opts, errors.New("--demo uses a throw-away profile, so it cannot be combined with --profile")
	}
	if opts.demo && opts.passphrase.set() {
		return opts, errors.New("--demo shows its own passphrase in the unlock window, so it cannot be combined with --passphrase-fd or --passphrase-env")
	}
	return opts, nil
}

func runGUI(args []string, stderr io.Writer, log *slog.Logger) int {
	opts, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "securemail:", err)
		return exitUsage
	}
	if opts.version {
		fmt.Fprintln(stderr, "securemail", version)
		return 0
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if opts.demo {
		if err := runDemo(ctx, log); err != nil {
			log.Error("demo failed", "error", err)
			return exitFailure
		}
		return 0
	}

	adapter, err := ui.NewClientAdapter(profileOptions(opts.profile))
	if err != nil {
		fmt.Fprintln(stderr, "securemail:", err)
		return exitFailure
	}
	var pass []byte
	if opts.passphrase.set() {
		if pass, err = startPassphrase(adapter, &opts.passphrase); err != nil {
			fmt.Fprintln(stderr, "securemail:", err)
			return exitFailure
		}
	}
	runWindow(ctx, adapter, ui.Options{Log: log, StartPassphrase: pass})
	return 0
}

// startPassphrase reads the passphrase that --passphrase-fd or
// --passphrase-env names, for a profile that has a vault. The shell
// unlocks with it while the window opens.
func startPassphrase(adapter *ui.ClientAdapter, secret *secretFlags) ([]byte, error) {
	if adapter.Client() == nil {
		return nil, errors.New("the profile has no vault yet; start securemail without --passphrase-fd or --passphrase-env to create one")
	}
	pass, err := secret.read("passphrase")
	if secret.env != "" {
		// Any program the GUI starts inherits its environment, so the
		// passphrase leaves it once read.
		os.Unsetenv(secret.env)
	}
	return pass, err
}

// runWindow shows the GUI with the idle lock from the policy.
func runWindow(ctx context.Context, adapter *ui.ClientAdapter, opts ui.Options) {
	log := opts.Log
	// On Linux the watcher locks at once when logind reports sleep or a
	// screen lock; without a system bus only the idle timer runs.
	idle := cache.LockManagerOptions{Watcher: cache.LogindWatcher{}}
	for _, s := range adapter.Settings() {
		if s.Path == "idleLock.minutes" {
			var minutes float64
			fmt.Sscan(string(s.Value), &minutes)
			idle.Idle = time.Duration(minutes * float64(time.Minute))
		}
		if s.Path == "idleLock.maxMinutes" {
			var minutes float64
			fmt.Sscan(string(s.Value), &minutes)
			idle.MaxIdle = time.Duration(minutes * float64(time.Minute))
		}
	}
	auto := ui.NewAutoLock(adapter, idle, log)
	ui.Run(ctx, adapter, auto, opts)
	log.Info("main window closed")
	if c := adapter.Client(); c != nil && !c.Locked() {
		if err := c.Lock("quit"); err != nil {
			log.Error("locking the vault at exit failed", "error", err)
		}
	}
}

// runDemo starts the demo servers, creates a throw-away profile for the
// demo clinician, shows the GUI over it, and removes the profile when
// the window closes.
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

	c, err := demo.NewProfile(srv, profile)
	if err != nil {
		return err
	}
	runWindow(ctx, ui.WrapClient(c), ui.Options{Log: log, Banner: demoBanner})
	return nil
}
