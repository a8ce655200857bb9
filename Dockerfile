# syntax=docker/dockerfile:1
# pgkb image: docker build -t pgkb:dev .   then   docker run --rm pgkb:dev --help
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# the same build as ./pgkb: the shaded runnable jar, tests are CI's job
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests package -pl cli -am

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /var/lib/pgkb --create-home pgkb
COPY --from=build /src/cli/target/pgkb.jar /opt/pgkb/pgkb.jar
COPY LICENSE /opt/pgkb/LICENSE
COPY cli/jvm.options cli/jvm-gc.options cli/jvm-options.sh /opt/pgkb/
COPY --chmod=755 cli/docker-entrypoint.sh /opt/pgkb/entrypoint.sh
COPY --chmod=755 cli/restore-test.sh /opt/pgkb/restore-test.sh
USER pgkb
WORKDIR /var/lib/pgkb
# the entrypoint chooses the JVM options as ./pgkb does, then execs java: java is PID 1, so SIGTERM from
# `docker stop` reaches pgkb (graceful stop) and exit codes pass through
ENTRYPOINT ["/opt/pgkb/entrypoint.sh"]
CMD ["--help"]
