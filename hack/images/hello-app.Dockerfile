FROM scratch
COPY scratch/ /
COPY hello-app /hello-app
ENV APP_PORT=8080
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/hello-app"]
