# Sourced (not run) by the scripts that drive the real window (tests/scripts/e2e.sh,
# tests/bench/app.sh): a virtual display and tauri-driver in front of WebKitWebDriver.
#   . tests/scripts/webdriver.sh
#   webdriver_start DIR    # Xvfb on a free display, tauri-driver on TAURI_DRIVER_PORT (default
#                          # 4444, or a free port when taken); exports DISPLAY and
#                          # TAURI_DRIVER_PORT; logs DIR/xvfb.log and DIR/tauri-driver.log
#   webdriver_stop         # stops them and whatever they started (WebKitWebDriver, the app)
# The app that tauri-driver starts inherits the environment webdriver_start had: export what
# the app should see (VAULT_ADDR, VAULTDESK_E2E_EXPORT_DIR...) before calling it.
# Needs Xvfb, WebKitWebDriver, tauri-driver and node: scripts/setup.sh test installs them.

webdriver_xvfb_pid=""
webdriver_driver_pid=""

webdriver_log() { printf '[webdriver] %s\n' "$*" >&2; }

webdriver_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
webdriver_free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

webdriver_start() {
  local dir=$1 driver native_driver port native_port
  driver=$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")
  native_driver=$(command -v WebKitWebDriver || true)
  [ -x "$driver" ] || { webdriver_log "tauri-driver is missing: run scripts/setup.sh test"; return 2; }
  [ -n "$native_driver" ] || { webdriver_log "WebKitWebDriver is missing (Debian: webkit2gtk-driver): run scripts/setup.sh test"; return 2; }
  command -v Xvfb >/dev/null || { webdriver_log "Xvfb is missing: run scripts/setup.sh test"; return 2; }
  mkdir -p "$dir"

  # Xvfb picks a free display itself and reports it once it accepts connections.
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$dir/display" >"$dir/xvfb.log" 2>&1 &
  webdriver_xvfb_pid=$!
  for _ in $(seq 100); do [ -s "$dir/display" ] && break; sleep 0.1; done
  [ -s "$dir/display" ] || { cat "$dir/xvfb.log" >&2; webdriver_log "Xvfb did not start"; return 2; }
  export DISPLAY=":$(head -n1 "$dir/display")"
  webdriver_log "Xvfb on $DISPLAY"

  port=${TAURI_DRIVER_PORT:-4444}
  webdriver_port_free "$port" || { webdriver_log "port $port is taken, using a free one"; port=$(webdriver_free_port); }
  native_port=$(webdriver_free_port)
  # Its own process group: stopping it stops WebKitWebDriver and the app with it.
  setsid "$driver" --port "$port" --native-port "$native_port" --native-driver "$native_driver" \
    >"$dir/tauri-driver.log" 2>&1 &
  webdriver_driver_pid=$!
  for _ in $(seq 100); do webdriver_port_free "$port" || break; sleep 0.1; done
  webdriver_port_free "$port" && { cat "$dir/tauri-driver.log" >&2; webdriver_log "tauri-driver did not start"; return 2; }
  export TAURI_DRIVER_PORT=$port
  webdriver_log "tauri-driver on 127.0.0.1:$port"
}

webdriver_stop() {
  if [ -n "$webdriver_driver_pid" ]; then
    kill -TERM -- "-$webdriver_driver_pid" 2>/dev/null || true
    wait "$webdriver_driver_pid" 2>/dev/null || true
    webdriver_driver_pid=""
  fi
  if [ -n "$webdriver_xvfb_pid" ]; then
    kill -TERM "$webdriver_xvfb_pid" 2>/dev/null || true
    wait "$webdriver_xvfb_pid" 2>/dev/null || true
    webdriver_xvfb_pid=""
  fi
}
