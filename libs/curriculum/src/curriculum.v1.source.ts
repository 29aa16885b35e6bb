// Verbatim copy of curriculum/source.md, embedded so the seeder needs no file at run time.
// A spec fails if the two drift apart: edit the markdown, then copy it here unchanged.
export const CURRICULUM_V1_SOURCE = `---
aliases: []
confidence: 
created: 2025-02-17T21:35:58Z
epistemic: 
last_reviewed: 
modified: 2025-12-13T11:39:48Z
purpose: 
review_interval: 
see_also: []
source_of_truth: []
status: 
tags: [networking]
title: curriculum for learning Kubernetes networking
type: curriculum
uid: 
updated: 
version: 1
---

## Phase 1: Linux Networking Fundamentals

- Objective: Grasp the underlying networking concepts that Kubernetes relies on.
- Topics:
    - Network Namespaces: Understanding isolation.
    - Virtual Ethernet Pairs (veth): Connecting namespaces.
    - Network Bridges: Creating a shared network.
    - IP Addressing and Routing: Configuring network communication.
- Hands-on Project:
    - Create two network namespaces and connect them using veth pairs.
    - Configure IP addresses and routing to enable communication between the namespaces.
    - Create a bridge network and connect multiple namespaces to it.
- Key Questions:
    - How do network namespaces provide isolation?
    - What is the role of veth pairs in connecting namespaces?
    - How do these concepts relate to container networking?

## Phase 2: Container Networking Interface (CNI)

- Objective: Understand how Kubernetes uses CNI to manage pod networking.
- Topics:
    - CNI Specification: Learning the standard interface.
    - CNI Plugins: Exploring different implementations (Calico, Flannel, Weave).
    - IP Address Management (IPAM): How pods get IP addresses.
    - Kubelet's Role: Understanding kubelet's involvement in networking.
- Hands-on Project:
    - Write a basic CNI plugin (e.g., in Go) that creates network namespaces and configures veth pairs.
    - Deploy a Kubernetes cluster using Minikube or kind and experiment with different CNI plugins.
- Key Questions:
    - What is the purpose of the CNI specification?
    - How do different CNI plugins implement pod networking?
    - How does kubelet interact with CNI plugins?

## Phase 3: Kubernetes Networking Model

- Objective: Learn the core concepts of Kubernetes networking and how pods communicate with each other.
- Topics:
    - Pod-to-Pod Communication: Intra-cluster networking.
    - Services: Exposing applications within the cluster.
    - Kube-proxy: Implementing service load balancing.
    - Network Policies: Controlling traffic flow.
- Hands-on Project:
    - Set up a multi-node Kubernetes cluster using kind or Minikube.
    - Deploy multiple pods and services and trace network traffic between them.
    - Implement network policies to restrict communication between specific pods.
- Key Questions:
    - How does Kubernetes enable communication between pods on different nodes?
    - What is the role of kube-proxy in service implementation?
    - How do network policies enhance security in Kubernetes?

## Phase 4: AWS-Specific Networking (EKS)

- Objective: Understand how Kubernetes networking is implemented in AWS EKS.
- Topics:
    - VPC and Subnet Design: Configuring the virtual network for EKS.
    - AWS CNI: Understanding AWS's CNI plugin.
    - Security Groups and NACLs: Controlling network access in EKS.
    - Load Balancers: Exposing services to the outside world.
- Hands-on Project:
    - Design and implement a production-grade VPC for EKS.
    - Configure security groups and NACLs to control traffic to and from EKS pods.
    - Deploy an application and expose it using an AWS Load Balancer.
- Key Questions:
    - How does AWS CNI differ from other CNI plugins?
    - How do security groups and NACLs integrate with Kubernetes network policies?
    - How can I expose my Kubernetes services to the internet using AWS Load Balancers?

## Phase 5: Security and Observability

- Objective: Implement security best practices and monitor your Kubernetes network.
- Topics:
    - Network Policy Hardening: Implementing least-privilege network policies.
    - Threat Detection: Using threat feeds and intrusion detection systems.
    - Observability Tools: Monitoring network traffic and application behavior.
    - Service Meshes: Enhancing security and observability with service meshes like Istio.
- Hands-on Project:
    - Implement a zero-trust network policy for a specific namespace in your EKS cluster.
    - Integrate threat feeds to detect malicious activity.
    - Deploy an observability tool (e.g., Calico Cloud) to monitor network traffic and application behavior.
- Key Questions:
    - How can I implement a zero-trust network in Kubernetes?
    - What tools can I use to monitor my Kubernetes network?
    - How can service meshes improve security and observability?

Here's a practical, step-by-step plan to learn Kubernetes networking:

---

1. Build Your Foundation

Kubernetes Basics:

Learn: Core concepts (pods, services, deployments, etc.).

Resources:

Kubernetes Official Documentation

Interactive tutorials like Katacoda

Networking Fundamentals:

Study: Basic networking (IP addressing, DNS, TCP/UDP, routing).

Resources:

Online courses on networking basics

Free tutorials on YouTube or platforms like Coursera/Udemy

---

2. Set Up a Practical Environment

Local Cluster:

Tools: Minikube, Kind, or MicroK8s

Goal: Create a local Kubernetes cluster to experiment with networking setups.

Sandbox Environment:

Practice: Deploy sample applications and simulate network behavior in a controlled environment.

---

3. Dive into Kubernetes Networking Concepts

Pod Networking:

Learn: How pods communicate, pod-to-pod connectivity, and the role of CNI (Container Network Interface) plugins.

Practical: Deploy multiple pods and use tools like ping or curl to test connectivity.

Service Networking:

Learn: Service types (ClusterIP, NodePort, LoadBalancer), DNS service discovery.

Practical: Create various service types and observe how traffic is routed to pods.

Network Policies:

Learn: How to restrict traffic flow between pods.

Practical: Apply simple network policies and test traffic isolation using network tools (e.g., netcat, curl).

Ingress & Egress:

Learn: Ingress controllers, routing external traffic, and managing egress.

Practical: Set up an Ingress controller (like NGINX Ingress) and route external traffic to your services.

---

4. Hands-On Labs & Exercises

Lab 1: Basic Connectivity

Deploy two pods in different namespaces.

Test connectivity using internal DNS names and IPs.

Lab 2: Service Discovery

Create a service of type ClusterIP.

Verify that pods can reach the service via its DNS name.

Lab 3: Network Policy Enforcement

Create a network policy that restricts traffic between pods in different namespaces.

Test allowed vs. blocked connections.

Lab 4: Ingress Controller Setup

Install an Ingress controller.

Configure Ingress resources to expose your application externally.

Lab 5: Experiment with CNI Plugins

Install alternative CNI plugins like Calico, Flannel, or Cilium on your local cluster.

Compare behavior, performance, and network policy capabilities.

---

5. Advanced Topics & Real-World Scenarios

Troubleshooting & Debugging:

Learn: Tools like kubectl, tcpdump, and logs to diagnose network issues.

Practical: Simulate network failures and troubleshoot them.

Multi-Node Clusters:

Practice: Set up a multi-node cluster (locally or in a cloud sandbox) to understand inter-node networking.

Service Mesh Overview:

Learn: Concepts behind service meshes (e.g., Istio) and how they enhance networking.

Optional: Deploy a basic service mesh to see advanced traffic management in action.

Security & Compliance:

Explore: Best practices for securing Kubernetes networks.

---

6. Consolidate Learning with a Capstone Project

Project Idea:

Design: A multi-tier application (frontend, backend, database) deployed on Kubernetes.

Implement:

Custom network policies for inter-component communication

An Ingress controller to manage external access

Alternative CNI plugins to evaluate performance differences

Document: Your process, challenges, and how you resolved network issues.

---

7. Engage with the Community & Continuous Learning

Join Forums:

Kubernetes Slack channels, Reddit communities, or local meetups.

Follow Blogs & Updates:

Stay updated with changes in Kubernetes networking, best practices, and new tools.

Practice Regularly:

Revisit labs, try new CNI plugins, and simulate various network scenarios to deepen your understanding.

---

This plan provides both theoretical knowledge and hands-on experience. Adjust the timeline based on your pace, and don't hesitate to explore additional resources as needed. Happy learning!
`;
