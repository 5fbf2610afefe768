package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"securemail/client"
)

// confirmUncertain is the --confirm code that sends an uncertain message
// again, which may deliver it twice.
const confirmUncertain = "uncertain"

const outboxUsage = "securemail outbox [list] | outbox send-again ID [--confirm uncertain] | outbox discard ID | outbox withdraw ID"

// cmdOutbox lists the outbox messages that wait for the user or for
// submission, sends a held one again or discards it, and withdraws a
// queued one.
func cmdOutbox(args []string, stdout, stderr io.Writer) int {
	action := "list"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		action, args = args[0], args[1:]
	}
	if action != "list" && action != "send-again" && action != "discard" && action != "withdraw" {
		fmt.Fprintf(stderr, "securemail: unknown outbox command %q; use list, send-again, discard or withdraw\n", action)
		return exitUsage
	}

	fs := newFlagSet("outbox "+action, stderr)
	var p profileFlags
	var confirm listFlag
	p.register(fs)
	if action == "send-again" {
		fs.Var(&confirm, "confirm", "send an uncertain message again although it may have arrived: --confirm "+confirmUncertain)
	}
	rest, st := parseArgs(fs, args)
	if st >= 0 {
		return st
	}

	if action == "list" {
		if !checkArgs(stderr, rest, 0, 0, outboxUsage) {
			return exitUsage
		}
		return withClient(&p, stderr, func(c *client.Client) int { return listHeld(c, stdout, stderr) })
	}
	if !checkArgs(stderr, rest, 1, 1, outboxUsage) {
		return exitUsage
	}
	idText := rest[0]
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		fmt.Fprintf(stderr, "securemail: invalid outbox message ID %q: give the number that securemail outbox lists\n", idText)
		return exitUsage
	}
	return withClient(&p, stderr, func(c *client.Client) int {
		switch action {
		case "discard":
			if err := c.DiscardHeld(id); err != nil {
				return fail(stderr, err)
			}
			fmt.Fprintf(stdout, "message %d discarded\n", id)
			return exitOK
		case "withdraw":
			if err := c.Withdraw(id); err != nil {
				return fail(stderr, err)
			}
			fmt.Fprintf(stdout, "message %d withdrawn; it was not sent\n", id)
			return exitOK
		}
		return sendAgain(c, id, confirm, stdout, stderr)
	})
}

// listHeld prints each held message: its ID, state, creation time,
// account, recipients and the reason it is held. Then it prints the
// messages still queued for submission, which can be withdrawn.
func listHeld(c *client.Client, stdout, stderr io.Writer) int {
	held, err := c.HeldMessages()
	if err != nil {
		return fail(stderr, err)
	}
	queued, err := c.QueuedMessages()
	if err != nil {
		return fail(stderr, err)
	}
	if len(held) == 0 {
		fmt.Fprintln(stdout, "no messages need your decision")
	}
	for _, h := range held {
		fmt.Fprintf(stdout, "%d  %s  created %s  from %s\n", h.ID, h.State, h.Created.Local().Format("2006-01-02 15:04"), h.Account)
		fmt.Fprintf(stdout, "    to: %s\n", strings.Join(h.Recipients, ", "))
		fmt.Fprintf(stdout, "    reason: %s\n", h.Reason)
	}
	for _, q := range queued {
		fmt.Fprintf(stdout, "%d  queued  created %s  from %s\n", q.ID, q.Created.Local().Format("2006-01-02 15:04"), q.Account)
		fmt.Fprintf(stdout, "    to: %s\n", strings.Join(q.Recipients, ", "))
		if q.Attempts > 0 {
			fmt.Fprintf(stdout, "    %s failed, last: %s\n", countNoun(q.Attempts, "attempt", "attempts"), q.Reason)
		}
	}
	return exitOK
}

// sendAgain queues held message id again and submits the outbox. An
// uncertain message may have been delivered already, so it needs
// --confirm uncertain, as send needs --confirm for its findings.
func sendAgain(c *client.Client, id int64, confirm []string, stdout, stderr io.Writer) int {
	held, err := c.HeldMessages()
	if err != nil {
		return fail(stderr, err)
	}
	if needsUncertainConfirmation(held, id, confirm) {
		fmt.Fprintf(stderr, "securemail: message %d was not sent again: its submission was cut off after the server received it, "+
			"so it may have arrived already and could arrive twice. Ask a recipient; to send it anyway, add --confirm %s\n", id, confirmUncertain)
		return exitNeedsConfirmation
	}
	if err := c.SendAgain(id); err != nil {
		return fail(stderr, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	flushErr := c.FlushOutbox(ctx)
	reason, heldAgain, err := heldReason(c, id)
	if err != nil {
		return fail(stderr, err)
	}
	if heldAgain {
		fmt.Fprintf(stderr, "securemail: message %d was held again: %s; fix the cause and send it again, or run securemail outbox discard %d\n", id, reason, id)
		return exitFailure
	}
	if flushErr != nil {
		fmt.Fprintf(stderr, "securemail: message %d is queued again, but submitting the outbox failed: %v; run securemail sync to retry\n", id, flushErr)
		return exitFailure
	}
	fmt.Fprintf(stdout, "message %d sent\n", id)
	return exitOK
}

// reportHeld prints how many outbox messages wait for the user, if any,
// after a command submitted the outbox.
func reportHeld(c *client.Client, stderr io.Writer) {
	held, err := c.HeldMessages()
	if err != nil {
		fmt.Fprintln(stderr, "securemail: listing the held outbox messages failed:", err)
		return
	}
	switch len(held) {
	case 0:
	case 1:
		fmt.Fprintln(stderr, "securemail: 1 message needs your decision; run securemail outbox")
	default:
		fmt.Fprintf(stderr, "securemail: %d messages need your decision; run securemail outbox\n", len(held))
	}
}

// needsUncertainConfirmation reports whether message id is uncertain and
// confirm lacks the code that accepts a second delivery.
func needsUncertainConfirmation(held []client.HeldMessage, id int64, confirm []string) bool {
	for _, h := range held {
		if h.ID == id {
			return h.State == client.HeldUncertain && !slices.Contains(confirm, confirmUncertain)
		}
	}
	return false
}

// heldReason returns the reason message id is held, and whether it is.
func heldReason(c *client.Client, id int64) (reason string, held bool, err error) {
	list, err := c.HeldMessages()
	if err != nil {
		return "", false, err
	}
	for _, h := range list {
		if h.ID == id {
			return h.Reason, true, nil
		}
	}
	return "", false, nil
}
