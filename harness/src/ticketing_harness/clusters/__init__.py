"""Dev clusters on kind, GKE and EKS: manifests, images, secrets, ingress, hosts and the steps."""
