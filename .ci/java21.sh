#!/usr/bin/env bash
# Prints the home of a Java 21+ runtime, installing one when the machine has none. The test kit starts the schema
# registry (Apicurio Registry 3, which needs Java 21) with it; pgkb itself stays on Java 17.
#
# Order: $PGKB_JAVA21_HOME; a JDK/JRE 21+ under /usr/lib/jvm (our machines carry Temurin 25 there); Debian's
# openjdk-21-jre-headless from the machine's own suites (Debian 13+, Ubuntu 24.04+); on Debian 12, whose suites have
# no Java 21, the same package from Debian 13, unpacked into $PGKB_JAVA21_DIR (default /opt/pgkb-java21) with
# Debian 13's C library beside it and never installed into the system (it would upgrade libc6): its bin/java is a
# wrapper that runs the JVM through that private loader.
set -euo pipefail

major_of() { # java home -> feature version, or 0
    local v
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n1) || true
    echo "${v:-0}"
}

ok() { [ -x "$1/bin/java" ] && [ "$(major_of "$1")" -ge 21 ]; }

if [ -n "${PGKB_JAVA21_HOME:-}" ] && ok "$PGKB_JAVA21_HOME"; then
    echo "$PGKB_JAVA21_HOME"; exit 0
fi
for home in /usr/lib/jvm/*/; do
    home=${home%/}
    if [ ! -L "$home" ] && ok "$home"; then echo "$home"; exit 0; fi
done

dir=${PGKB_JAVA21_DIR:-/opt/pgkb-java21}
if ok "$dir"; then echo "$dir"; exit 0; fi

sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq </dev/null >&2
if apt-cache show openjdk-21-jre-headless >/dev/null 2>&1; then
    $sudo_cmd apt-get install -y -qq --no-install-recommends openjdk-21-jre-headless </dev/null >&2
    for home in /usr/lib/jvm/java-21-openjdk-*/; do
        home=${home%/}
        if ok "$home"; then echo "$home"; exit 0; fi
    done
fi

# Debian 12: Debian 13's packages, unpacked privately (apt state in a scratch directory, the system untouched)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
echo "deb http://deb.debian.org/debian trixie main" >"$work/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$work/sources.list" -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "APT::Sandbox::User=root")
apt-get "${apt_opts[@]}" update -qq </dev/null >&2
(cd "$work" && apt-get "${apt_opts[@]}" download -qq openjdk-21-jre-headless/trixie libc6/trixie \
    libstdc++6/trixie libgcc-s1/trixie zlib1g/trixie </dev/null >&2)
rm -rf "$dir.new"
mkdir -p "$dir.new/root"
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$dir.new/root"; done
jvm=$(ls -d "$dir.new"/root/usr/lib/jvm/java-21-openjdk-*/ | head -n1)
jvm=${jvm%/}
# the package's configuration links point into /etc; make them point into the unpacked tree
find "$jvm" -type l -lname '/etc/*' | while read -r link; do
    target=$(readlink "$link")
    ln -sfn "$dir/root$target" "$link"
done
# cacerts: the machine's Java 17 store (ca-certificates-java), when the unpacked tree has none
if [ ! -e "$dir.new/root/etc/ssl/certs/java/cacerts" ] && [ -e /etc/ssl/certs/java/cacerts ]; then
    mkdir -p "$dir.new/root/etc/ssl/certs/java"
    cp /etc/ssl/certs/java/cacerts "$dir.new/root/etc/ssl/certs/java/cacerts"
fi
real=${jvm#"$dir.new/root"}
mkdir -p "$dir.new/bin"
cat >"$dir.new/bin/java" <<EOF
#!/bin/sh
# Debian 13's JVM on an older C library: run it through Debian 13's own loader and libraries (unpacked beside it)
r=$dir/root
exec "\$r/usr/lib64/ld-linux-x86-64.so.2" --library-path "\$r/usr/lib/x86_64-linux-gnu:\$r$real/lib:\$r$real/lib/server" "\$r$real/bin/java" "\$@"
EOF
chmod +x "$dir.new/bin/java"
rm -rf "$dir"
mv "$dir.new" "$dir"
if ok "$dir"; then echo "$dir"; exit 0; fi
echo "no Java 21+ runtime could be installed (needed by the test kit's schema registry)" >&2
exit 1
