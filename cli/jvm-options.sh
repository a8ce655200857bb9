# Sourced by the ./pgkb launcher, the Docker image's entrypoint and bench/*.sh: which JVM options files apply.
#
#   pgkb_jvm_defaults DIR [USER_OPTION...]
#
# sets the array jvm_defaults to @DIR/jvm.options, and @DIR/jvm-gc.options unless the user's options choose a
# collector (-XX:+Use...GC) themselves: the JVM refuses two, and the user's choice should not also drop the
# options that have nothing to do with the collector.
pgkb_jvm_defaults() {
    local dir=$1
    shift
    jvm_defaults=("@$dir/jvm.options")
    case " $* " in
        *" -XX:+Use"*"GC "*) ;;
        *) jvm_defaults+=("@$dir/jvm-gc.options") ;;
    esac
}
