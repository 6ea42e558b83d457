FROM scratch
COPY scratch/ /
COPY flagger /usr/local/bin/flagger
ENV PATH=/usr/local/bin:/usr/bin:/bin
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/flagger"]
