# As kapp-controller's own image lays it out: the controller and the tools it runs in /, on PATH
# (kapp in the controller container; vendir and ytt through the --sidecarexec container), a home
# for user 1000 in group 0, and a CA bundle with its pristine copy that the sidecar rewrites.
FROM scratch
COPY scratch/ /
COPY kapp-controller ytt kapp vendir /
COPY --chown=1000:0 home/ /home/
COPY --chown=1000:0 certs/ /etc/pki/tls/certs/
ENV PATH=/:/usr/local/bin:/usr/bin:/bin HOME=/home/kapp-controller
USER 1000:0
ENTRYPOINT ["/kapp-controller"]
