// Package fynelocale stops Fyne from logging a locale error when a
// program starts under a locale such as C.UTF-8. Import it for its side
// effect, with a blank import, from package main.
//
// Fyne v2.7.1 reads the user's locale in the init function of its lang
// package, through github.com/jeandeaual/go-locale, and logs "Fyne error:
// Error parsing user locale C" to standard error when the result is no
// BCP 47 tag. That happens before main runs, so headless commands print
// it too. This package's init runs first and, where the environment
// gives no usable tag, sets LANGUAGE to the usable ones or to "en", which
// is the language of Fyne's own texts that SecureMail shows.
//
// Go initializes, in each step, the first package in import-path order
// whose imports are all initialized. This package imports only the
// standard library and golang.org/x/text/language, while Fyne's lang
// package imports text/template, which sorts after securemail/, so this
// init runs before Fyne's. A test in cmd/securemail checks the result.
package fynelocale
