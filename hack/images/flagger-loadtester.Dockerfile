# Flagger's loadtester runs the webhooks' commands: `bash` (bash -c CMD), `cmd` (e.g. hey), curl.
ARG BASE
FROM ${BASE}
RUN echo 'app:x:1000:1000:app:/home/app:/bin/bash' >> /etc/passwd \
 && echo 'app:x:1000:' >> /etc/group \
 && mkdir -p /home/app && chown 1000:1000 /home/app
COPY hey /usr/local/bin/hey
COPY --chown=1000:1000 loadtester /home/app/loadtester
WORKDIR /home/app
USER 1000:1000
ENTRYPOINT ["/home/app/loadtester"]
CMD ["-port=8080", "-log-level=info", "-timeout=1h"]
