# lib.sh - shared by scripts/run, scripts/test, scripts/bench and the test
# harness: install what is missing, build, and start/stop a private
# MariaDB, ispbill-fcgi and nginx under one directory.  Sourced, not run.

ISP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '%s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Debian packages needed to build, test and run.
ISP_PACKAGES="autoconf automake libtool pkg-config make gcc libc6-dev
 libfcgi-dev libyajl-dev libmariadb-dev libjwt-dev libsodium-dev
 libcurl4-openssl-dev libssl-dev libwebsockets-dev check mariadb-server mariadb-client
 nginx-light spawn-fcgi wrk curl iproute2
 python3 python3-librouteros clang libclang-rt-14-dev jq"

isp_deps() {
	local missing=() p
	for p in $ISP_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	# any nginx flavour will do
	if printf '%s\n' "${missing[@]}" | grep -qx nginx-light && command -v nginx >/dev/null; then
		missing=("${missing[@]/nginx-light}")
	fi
	local want=()
	for p in "${missing[@]}"; do [ -n "$p" ] && want+=("$p"); done
	[ ${#want[@]} -eq 0 ] && return 0
	say "installing: ${want[*]}"
	[ "$(id -u)" -eq 0 ] || die "missing packages (${want[*]}); run as root or install them"
	export DEBIAN_FRONTEND=noninteractive
	# no service may start on install: ours are private
	local rc=/usr/sbin/policy-rc.d had_rc=0
	[ -e $rc ] && had_rc=1
	[ $had_rc -eq 1 ] || printf '#!/bin/sh\nexit 101\n' > $rc && chmod 755 $rc
	apt-get update -qq || true
	apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null ||
		{ [ $had_rc -eq 1 ] || rm -f $rc; die "apt-get install failed"; }
	[ $had_rc -eq 1 ] || rm -f $rc
}

# The API documentation's assets: Swagger UI and ReDoc from the npm
# registry (exact versions), installed beside the pages of nginx/docs/ into a
# directory outside the repository that nginx serves at /api/docs/assets/.
ISP_DOCS_PACKAGES="swagger-ui-dist@5.35.0 redoc@2.5.4"

# isp_docs_install DIR: the pages always; the packages once (again when
# ISP_DOCS_PACKAGES changes).  Without npm or the registry it says so and
# carries on: the pages then tell their reader the assets are missing.
isp_docs_install() {
	local dir=$1 tmp
	mkdir -p "$dir" && cp "$ISP_TOP"/nginx/docs/*.html "$dir/" || die "cannot write $dir"
	if [ -s "$dir/swagger-ui/swagger-ui-bundle.js" ] && [ -s "$dir/redoc/redoc.standalone.js" ] &&
	   [ "$(cat "$dir/.packages" 2>/dev/null)" = "$ISP_DOCS_PACKAGES" ]; then
		return 0
	fi
	if ! command -v npm >/dev/null; then
		say "docs: npm not found: /api/docs/ and /api/redoc/ will lack their assets (install node and npm)"
		return 0
	fi
	tmp=$(mktemp -d)
	# npm pack fetches the package tarballs alone, no dependencies and no scripts
	# shellcheck disable=SC2086
	if ! (cd "$tmp" && timeout 180 npm pack --silent $ISP_DOCS_PACKAGES >npm.out 2>npm.err); then
		say "docs: could not fetch $ISP_DOCS_PACKAGES from the npm registry ($(tail -1 "$tmp/npm.err")); /api/docs/ and /api/redoc/ will lack their assets"
		rm -rf "$tmp"
		return 0
	fi
	mkdir -p "$tmp/swagger-ui" "$tmp/redoc"
	tar -xzf "$tmp"/swagger-ui-dist-*.tgz -C "$tmp/swagger-ui" --strip-components=1 \
		package/swagger-ui.css package/swagger-ui-bundle.js \
		package/swagger-ui-standalone-preset.js package/LICENSE &&
	tar -xzf "$tmp"/redoc-*.tgz -C "$tmp/redoc" --strip-components=2 \
		package/bundles/redoc.standalone.js package/bundles/redoc.standalone.js.LICENSE.txt ||
		{ rm -rf "$tmp"; die "docs: the npm packages do not hold the expected files"; }
	rm -rf "$dir/swagger-ui" "$dir/redoc"
	mv "$tmp/swagger-ui" "$tmp/redoc" "$dir/"
	printf '%s\n' "$ISP_DOCS_PACKAGES" > "$dir/.packages"
	rm -rf "$tmp"
	say "docs: $ISP_DOCS_PACKAGES installed in $dir"
}

# What only the tests need: headless Chromium renders /api/docs/;
# python3-websockets is the client of tests/integration/test_monitor.py.
ISP_TEST_PACKAGES="chromium python3-websockets"
isp_test_deps() {
	local p want=()
	for p in $ISP_TEST_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || want+=("$p")
	done
	[ ${#want[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		say "tests: ${want[*]} missing and not root: the tests that need it say SKIPPED"
		return 0
	fi
	say "installing for the tests: ${want[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends "${want[@]}" >/dev/null 2>&1; } ||
		say "tests: could not install ${want[*]}: the tests that need it say SKIPPED"
}

# isp_build DIR [configure args...]: configure (once per argument set) and make.
isp_build() {
	local dir=$1; shift
	local args="$*"
	( cd "$ISP_TOP" &&
	  { [ -x configure ] && [ configure -nt configure.ac ] && [ configure -nt Makefile.am ] ||
	    autoreconf -fi >/dev/null 2>&1 || autoreconf -fi; } ) || die "autoreconf failed"
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ] || [ "$(cat "$dir/.configure-args" 2>/dev/null)" != "$args" ] ||
	   [ "$dir/Makefile" -ot "$ISP_TOP/configure" ]; then
		( cd "$dir" && "$ISP_TOP/configure" -q $args ) || die "configure failed"
		printf '%s' "$args" > "$dir/.configure-args"
	fi
	make -s -C "$dir" -j"$(nproc)" >/dev/null || make -C "$dir" || die "build failed"
}

# Wait until a command succeeds, at most N tenths of a second.
isp_wait() {
	local n=$1; shift
	while [ "$n" -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}

isp_pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Stop the process whose pid file is $1 (TERM, then KILL after $2 tenths).
isp_stop_pid() {
	local pf=$1 t=${2:-100} pid
	[ -f "$pf" ] || return 0
	pid=$(cat "$pf")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		while [ "$t" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; t=$((t - 1)); done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	fi
	rm -f "$pf"
}

# ---- MariaDB, private: datadir and socket under $D ----
isp_db_start() {
	local D=$1
	mkdir -p "$D"
	if [ ! -d "$D/mysql-data/mysql" ]; then
		mariadb-install-db --no-defaults --datadir="$D/mysql-data" --user=root \
			--auth-root-authentication-method=normal --skip-test-db >"$D/mariadb-install.log" 2>&1 ||
			{ cat "$D/mariadb-install.log" >&2; die "mariadb-install-db failed"; }
	fi
	isp_pid_alive "$D/mariadb.pid" && return 0
	# its own temporary directory: nothing else cleaning /tmp can pull
	# a temporary table from under a query
	mkdir -p "$D/mysql-tmp"
	setsid mariadbd --no-defaults --datadir="$D/mysql-data" --socket="$D/mysql.sock" \
		--skip-networking --user=root --pid-file="$D/mariadb.pid" --tmpdir="$D/mysql-tmp" \
		--innodb-buffer-pool-size=64M --innodb-log-file-size=16M \
		--log-error="$D/mariadb.log" >/dev/null 2>&1 &
	isp_wait 300 mariadb-admin --no-defaults --socket="$D/mysql.sock" -uroot ping ||
		{ tail -20 "$D/mariadb.log" >&2; die "MariaDB did not start"; }
}

isp_db_stop() { isp_stop_pid "$1/mariadb.pid" 300; }

isp_sql() { local D=$1; shift; mariadb --no-defaults --socket="$D/mysql.sock" -uroot "$@"; }

# Create the database and its user once; the password lives in $D/db.pass.
isp_db_setup() {
	local D=$1 pass
	[ -s "$D/db.pass" ] || { head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$D/db.pass"; chmod 600 "$D/db.pass"; }
	pass=$(cat "$D/db.pass")
	isp_sql "$D" -e "CREATE DATABASE IF NOT EXISTS ispbill CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
		CREATE USER IF NOT EXISTS 'ispbill'@'localhost' IDENTIFIED BY '$pass';
		ALTER USER 'ispbill'@'localhost' IDENTIFIED BY '$pass';
		GRANT ALL PRIVILEGES ON ispbill.* TO 'ispbill'@'localhost';" || die "database set-up failed"
}

# Write $D/ispbill.conf for a run under $D (ISPBILL_* in the environment still win).
isp_write_conf() {
	local D=$1 sqldir=$2
	[ -s "$D/jwt.secret" ] || { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$D/jwt.secret"; chmod 600 "$D/jwt.secret"; }
	[ -s "$D/secret.key" ] || { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$D/secret.key"; chmod 600 "$D/secret.key"; }
	umask 077
	cat > "$D/ispbill.conf" <<CONF
# written by scripts/lib.sh for a private run under $D
listen = unix:$D/fcgi.sock
pid_file = $D/ispbill-fcgi.pid
db_socket = $D/mysql.sock
db_name = ispbill
db_user = ispbill
db_password = $(cat "$D/db.pass")
sql_dir = $sqldir
jwt_secret = $(cat "$D/jwt.secret")
secret_key = $(cat "$D/secret.key")
CONF
	umask 022
}

# isp_fcgi_start D BUILD [extra args]: ispbill-fcgi on $D/fcgi.sock, log in $D.
isp_fcgi_start() {
	local D=$1 B=$2; shift 2
	isp_pid_alive "$D/ispbill-fcgi.pid" && return 0
	setsid "$B/ispbill-fcgi" --config "$D/ispbill.conf" "$@" >>"$D/ispbill-fcgi.log" 2>&1 &
	isp_wait 100 test -S "$D/fcgi.sock" || { tail -20 "$D/ispbill-fcgi.log" >&2; die "ispbill-fcgi did not start"; }
	isp_wait 50 test -s "$D/ispbill-fcgi.pid"
}

isp_fcgi_stop() { isp_stop_pid "$1/ispbill-fcgi.pid" 350; }

# isp_monitor_start D BUILD PORT: ispbill-monitor on 127.0.0.1:PORT, log in
# $D/monitor.log, pid in $D/ispbill-monitor.pid; waits for its /health.
isp_monitor_start() {
	local D=$1 B=$2 port=$3
	isp_pid_alive "$D/ispbill-monitor.pid" && return 0
	ISPBILL_MONITOR_PORT=$port setsid "$B/ispbill-monitor" --config "$D/ispbill.conf" \
		--pid-file "$D/ispbill-monitor.pid" --foreground </dev/null >>"$D/monitor.log" 2>&1 &
	isp_wait 100 curl -fsS "http://127.0.0.1:$port/health" ||
		{ tail -20 "$D/monitor.log" >&2; die "ispbill-monitor did not start"; }
}

isp_monitor_stop() { isp_stop_pid "$1/ispbill-monitor.pid" 100; }

# isp_nginx_start D PORT_BASE [extra server blocks]: five dialect servers on
# 127.0.0.1:PORT_BASE..PORT_BASE+4; the API docs from $D/docs (isp_docs_install);
# the WebSocket streams proxied to ispbill-monitor on PORT_BASE+6 (or
# $ISP_MONITOR_PORT).
isp_nginx_start() {
	local D=$1 base=$2 extra=${3:-} user_line=""
	isp_pid_alive "$D/nginx.pid" && return 0
	mkdir -p "$D/nginx-tmp"
	[ "$(id -u)" -eq 0 ] && user_line="user www-data;"
	# nginx's workers must reach the socket: every directory above it must be searchable
	chmod 755 "$D"
	sed -e "s#@USER_LINE@#$user_line#" -e "s#@RUNDIR@#$D#g" -e "s#@SOCKET@#$D/fcgi.sock#g" \
	    -e "s#@SNIPPET@#$ISP_TOP/nginx/ispbill-fastcgi.conf#g" -e "s#@BIND@#127.0.0.1#g" \
	    -e "s#@PORT_NATIVE@#$base#" -e "s#@PORT_BITWAVE@#$((base + 1))#" \
	    -e "s#@PORT_NETFLOW@#$((base + 2))#" -e "s#@PORT_KTL@#$((base + 3))#" \
	    -e "s#@PORT_MIKROBILL@#$((base + 4))#" -e "s#@DOCS@#$D/docs#g" \
	    -e "s#@PORT_MONITOR@#${ISP_MONITOR_PORT:-$((base + 6))}#g" \
	    "$ISP_TOP/nginx/dev.conf.in" > "$D/nginx.conf"
	# extra server blocks (the harness's spawn-fcgi and bench servers)
	printf '%s\n' "$extra" > "$D/nginx-extra.conf"
	sed -i -e "/@EXTRA@/r $D/nginx-extra.conf" -e '/@EXTRA@/d' "$D/nginx.conf"
	nginx -p "$D" -c "$D/nginx.conf" -t >"$D/nginx-t.log" 2>&1 || { cat "$D/nginx-t.log" >&2; die "nginx configuration test failed"; }
	nginx -p "$D" -c "$D/nginx.conf" || die "nginx did not start"
	isp_wait 50 test -s "$D/nginx.pid"
}

isp_nginx_stop() { isp_stop_pid "$1/nginx.pid" 100; }

# A free base port with PORT..PORT+9 unused by any TCP socket, below the
# kernel's range for outgoing connections (32768 and up), so that a client
# elsewhere on the machine cannot take one of ours between the check and
# nginx's bind.
isp_free_base() {
	local base used
	used=$(ss -Htan 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u)
	for _ in $(seq 1 50); do
		base=$((20000 + (RANDOM % 1270) * 10))
		local ok=1 p
		for p in $(seq "$base" $((base + 9))); do
			printf '%s\n' "$used" | grep -qx "$p" && { ok=0; break; }
		done
		[ $ok -eq 1 ] && { echo "$base"; return 0; }
	done
	die "no free ports"
}
