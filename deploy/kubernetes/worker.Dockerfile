# The worker of the Kubernetes work pool: the newsflow image (Dockerfile) with prefect-kubernetes,
# at the Prefect version newsflow already has. Flow runs do not run here but in jobs of the
# newsflow image itself (base-job-template.json).
#
#   docker build -t newsflow .
#   docker build -t newsflow-k8s-worker -f deploy/kubernetes/worker.Dockerfile .
#   (from a registry: --build-arg NEWSFLOW_IMAGE=registry.example.com/newsflow:0.1.0)
ARG NEWSFLOW_IMAGE=newsflow:latest
FROM ${NEWSFLOW_IMAGE}

USER root
RUN pip install "prefect[kubernetes]==$(python -c 'import prefect; print(prefect.__version__)')"
USER newsflow
CMD ["prefect", "worker", "start", "--pool", "newsflow-k8s", "--type", "kubernetes"]
