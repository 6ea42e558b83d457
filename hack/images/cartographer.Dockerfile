# Cartographer runs `ytt` (found on PATH) for its ytt templates.
FROM scratch
COPY scratch/ /
COPY cartographer ytt /usr/local/bin/
ENV PATH=/usr/local/bin:/usr/bin:/bin
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/cartographer"]
