package tusupload_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// helperEnv makes the test binary serve a tusd instead of running tests:
// the memory benchmark uploads to it, so its figures are the client's only.
const helperEnv = "TUSUPLOAD_TEST_TUSD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		serveTusd(dir)
		return
	}
	code := m.Run()
	removeBenchFiles()
	os.Exit(code)
}

// serveTusd serves tusd on loopback, prints its creation URL on stdout and
// exits when stdin closes (the parent ended).
func serveTusd(dir string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	h, err := tusdHandler(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go http.Serve(ln, h)
	fmt.Printf("http://%s%s\n", ln.Addr(), basePath)
	io.Copy(io.Discard, os.Stdin)
}

// startTusdProcess runs tusd in a child process and returns its creation URL.
func startTusdProcess(tb testing.TB, dir string) string {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		tb.Fatalf("tusd helper: %v", err)
	}
	return strings.TrimSpace(line)
}
