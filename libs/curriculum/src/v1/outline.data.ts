import type { KeyQuestion, Lab, Phase, Step } from '../curriculum.types.js';

// Phases, steps and labs of curriculum/source.md. Titles, objectives, topics, projects, key
// questions, section lines and lab goals are verbatim from the source (a spec compares them with
// the parsed document); slugs and step summaries are ours and stay stable across versions.

export const PHASES: Phase[] = [
  {
    number: 1,
    slug: 'phase-1-linux-networking',
    title: 'Linux Networking Fundamentals',
    objective: 'Grasp the underlying networking concepts that Kubernetes relies on.',
    topics: [
      { title: 'Network Namespaces', description: 'Understanding isolation.' },
      { title: 'Virtual Ethernet Pairs (veth)', description: 'Connecting namespaces.' },
      { title: 'Network Bridges', description: 'Creating a shared network.' },
      { title: 'IP Addressing and Routing', description: 'Configuring network communication.' },
    ],
    projects: [
      'Create two network namespaces and connect them using veth pairs.',
      'Configure IP addresses and routing to enable communication between the namespaces.',
      'Create a bridge network and connect multiple namespaces to it.',
    ],
    keyQuestions: [
      { slug: 'phase-1-namespace-isolation', text: 'How do network namespaces provide isolation?' },
      { slug: 'phase-1-veth-role', text: 'What is the role of veth pairs in connecting namespaces?' },
      { slug: 'phase-1-container-networking', text: 'How do these concepts relate to container networking?' },
    ],
  },
  {
    number: 2,
    slug: 'phase-2-cni',
    title: 'Container Networking Interface (CNI)',
    objective: 'Understand how Kubernetes uses CNI to manage pod networking.',
    topics: [
      { title: 'CNI Specification', description: 'Learning the standard interface.' },
      { title: 'CNI Plugins', description: 'Exploring different implementations (Calico, Flannel, Weave).' },
      { title: 'IP Address Management (IPAM)', description: 'How pods get IP addresses.' },
      { title: "Kubelet's Role", description: "Understanding kubelet's involvement in networking." },
    ],
    projects: [
      'Write a basic CNI plugin (e.g., in Go) that creates network namespaces and configures veth pairs.',
      'Deploy a Kubernetes cluster using Minikube or kind and experiment with different CNI plugins.',
    ],
    keyQuestions: [
      { slug: 'phase-2-cni-purpose', text: 'What is the purpose of the CNI specification?' },
      {
        slug: 'phase-2-plugin-implementations',
        text: 'How do different CNI plugins implement pod networking?',
      },
      { slug: 'phase-2-kubelet-cni', text: 'How does kubelet interact with CNI plugins?' },
    ],
  },
  {
    number: 3,
    slug: 'phase-3-kubernetes-networking-model',
    title: 'Kubernetes Networking Model',
    objective: 'Learn the core concepts of Kubernetes networking and how pods communicate with each other.',
    topics: [
      { title: 'Pod-to-Pod Communication', description: 'Intra-cluster networking.' },
      { title: 'Services', description: 'Exposing applications within the cluster.' },
      { title: 'Kube-proxy', description: 'Implementing service load balancing.' },
      { title: 'Network Policies', description: 'Controlling traffic flow.' },
    ],
    projects: [
      'Set up a multi-node Kubernetes cluster using kind or Minikube.',
      'Deploy multiple pods and services and trace network traffic between them.',
      'Implement network policies to restrict communication between specific pods.',
    ],
    keyQuestions: [
      {
        slug: 'phase-3-cross-node-pods',
        text: 'How does Kubernetes enable communication between pods on different nodes?',
      },
      { slug: 'phase-3-kube-proxy-role', text: 'What is the role of kube-proxy in service implementation?' },
      {
        slug: 'phase-3-network-policy-security',
        text: 'How do network policies enhance security in Kubernetes?',
      },
    ],
  },
  {
    number: 4,
    slug: 'phase-4-eks-networking',
    title: 'AWS-Specific Networking (EKS)',
    objective: 'Understand how Kubernetes networking is implemented in AWS EKS.',
    topics: [
      { title: 'VPC and Subnet Design', description: 'Configuring the virtual network for EKS.' },
      { title: 'AWS CNI', description: "Understanding AWS's CNI plugin." },
      { title: 'Security Groups and NACLs', description: 'Controlling network access in EKS.' },
      { title: 'Load Balancers', description: 'Exposing services to the outside world.' },
    ],
    projects: [
      'Design and implement a production-grade VPC for EKS.',
      'Configure security groups and NACLs to control traffic to and from EKS pods.',
      'Deploy an application and expose it using an AWS Load Balancer.',
    ],
    keyQuestions: [
      { slug: 'phase-4-aws-cni-difference', text: 'How does AWS CNI differ from other CNI plugins?' },
      {
        slug: 'phase-4-sg-nacl-policies',
        text: 'How do security groups and NACLs integrate with Kubernetes network policies?',
      },
      {
        slug: 'phase-4-load-balancer-exposure',
        text: 'How can I expose my Kubernetes services to the internet using AWS Load Balancers?',
      },
    ],
  },
  {
    number: 5,
    slug: 'phase-5-security-observability',
    title: 'Security and Observability',
    objective: 'Implement security best practices and monitor your Kubernetes network.',
    topics: [
      { title: 'Network Policy Hardening', description: 'Implementing least-privilege network policies.' },
      { title: 'Threat Detection', description: 'Using threat feeds and intrusion detection systems.' },
      { title: 'Observability Tools', description: 'Monitoring network traffic and application behavior.' },
      {
        title: 'Service Meshes',
        description: 'Enhancing security and observability with service meshes like Istio.',
      },
    ],
    projects: [
      'Implement a zero-trust network policy for a specific namespace in your EKS cluster.',
      'Integrate threat feeds to detect malicious activity.',
      'Deploy an observability tool (e.g., Calico Cloud) to monitor network traffic and application behavior.',
    ],
    keyQuestions: [
      { slug: 'phase-5-zero-trust', text: 'How can I implement a zero-trust network in Kubernetes?' },
      { slug: 'phase-5-monitoring-tools', text: 'What tools can I use to monitor my Kubernetes network?' },
      { slug: 'phase-5-service-mesh', text: 'How can service meshes improve security and observability?' },
    ],
  },
];

export const STEPS: Step[] = [
  {
    number: 1,
    slug: 'foundation',
    title: 'Build Your Foundation',
    summary:
      'Refresh the Kubernetes objects and the networking basics (addressing, DNS, TCP/UDP, routing) every later lab builds on.',
    sections: [
      {
        title: 'Kubernetes Basics',
        items: [
          'Learn: Core concepts (pods, services, deployments, etc.).',
          'Resources:',
          'Kubernetes Official Documentation',
          'Interactive tutorials like Katacoda',
        ],
      },
      {
        title: 'Networking Fundamentals',
        items: [
          'Study: Basic networking (IP addressing, DNS, TCP/UDP, routing).',
          'Resources:',
          'Online courses on networking basics',
          'Free tutorials on YouTube or platforms like Coursera/Udemy',
        ],
      },
    ],
  },
  {
    number: 2,
    slug: 'practical-environment',
    title: 'Set Up a Practical Environment',
    summary:
      'Get to know your sandbox (a personal vcluster plus a Linux workbench) and build the Linux primitives containers are made of: namespaces, veth pairs, bridges and routes.',
    sections: [
      {
        title: 'Local Cluster',
        items: [
          'Tools: Minikube, Kind, or MicroK8s',
          'Goal: Create a local Kubernetes cluster to experiment with networking setups.',
        ],
      },
      {
        title: 'Sandbox Environment',
        items: [
          'Practice: Deploy sample applications and simulate network behavior in a controlled environment.',
        ],
      },
    ],
  },
  {
    number: 3,
    slug: 'networking-concepts',
    title: 'Dive into Kubernetes Networking Concepts',
    summary:
      'Write your own CNI plugin, then use pods, services and network policies (ingress and egress) to see the Kubernetes networking model at work.',
    sections: [
      {
        title: 'Pod Networking',
        items: [
          'Learn: How pods communicate, pod-to-pod connectivity, and the role of CNI (Container Network Interface) plugins.',
          'Practical: Deploy multiple pods and use tools like ping or curl to test connectivity.',
        ],
      },
      {
        title: 'Service Networking',
        items: [
          'Learn: Service types (ClusterIP, NodePort, LoadBalancer), DNS service discovery.',
          'Practical: Create various service types and observe how traffic is routed to pods.',
        ],
      },
      {
        title: 'Network Policies',
        items: [
          'Learn: How to restrict traffic flow between pods.',
          'Practical: Apply simple network policies and test traffic isolation using network tools (e.g., netcat, curl).',
        ],
      },
      {
        title: 'Ingress & Egress',
        items: [
          'Learn: Ingress controllers, routing external traffic, and managing egress.',
          'Practical: Set up an Ingress controller (like NGINX Ingress) and route external traffic to your services.',
        ],
      },
    ],
  },
  {
    number: 4,
    slug: 'hands-on-labs',
    title: 'Hands-On Labs & Exercises',
    summary:
      'Five auto-graded and reviewed labs: connectivity across namespaces, service discovery, network policy enforcement, an ingress controller, and a CNI plugin comparison.',
    sections: [],
  },
  {
    number: 5,
    slug: 'advanced-topics',
    title: 'Advanced Topics & Real-World Scenarios',
    summary:
      'Fix injected network incidents, trace traffic across nodes, harden a namespace to zero trust, and design the AWS EKS network around a cluster.',
    sections: [
      {
        title: 'Troubleshooting & Debugging',
        items: [
          'Learn: Tools like kubectl, tcpdump, and logs to diagnose network issues.',
          'Practical: Simulate network failures and troubleshoot them.',
        ],
      },
      {
        title: 'Multi-Node Clusters',
        items: [
          'Practice: Set up a multi-node cluster (locally or in a cloud sandbox) to understand inter-node networking.',
        ],
      },
      {
        title: 'Service Mesh Overview',
        items: [
          'Learn: Concepts behind service meshes (e.g., Istio) and how they enhance networking.',
          'Optional: Deploy a basic service mesh to see advanced traffic management in action.',
        ],
      },
      {
        title: 'Security & Compliance',
        items: ['Explore: Best practices for securing Kubernetes networks.'],
      },
    ],
  },
  {
    number: 6,
    slug: 'capstone',
    title: 'Consolidate Learning with a Capstone Project',
    summary:
      'Build a three-tier application with least-privilege policies and an ingress, then write up your design, your CNI evaluation and the problems you solved.',
    sections: [
      {
        title: 'Project Idea',
        items: [
          'Design: A multi-tier application (frontend, backend, database) deployed on Kubernetes.',
          'Implement:',
          'Custom network policies for inter-component communication',
          'An Ingress controller to manage external access',
          'Alternative CNI plugins to evaluate performance differences',
          'Document: Your process, challenges, and how you resolved network issues.',
        ],
      },
    ],
  },
  {
    number: 7,
    slug: 'community',
    title: 'Engage with the Community & Continuous Learning',
    summary:
      'Join the Kubernetes networking community, keep up with changes and plan your practice after the cohort.',
    sections: [
      {
        title: 'Join Forums',
        items: ['Kubernetes Slack channels, Reddit communities, or local meetups.'],
      },
      {
        title: 'Follow Blogs & Updates',
        items: ['Stay updated with changes in Kubernetes networking, best practices, and new tools.'],
      },
      {
        title: 'Practice Regularly',
        items: [
          'Revisit labs, try new CNI plugins, and simulate various network scenarios to deepen your understanding.',
        ],
      },
    ],
  },
];

export const LABS: Lab[] = [
  {
    number: 1,
    slug: 'lab-1-basic-connectivity',
    title: 'Basic Connectivity',
    step: 4,
    goals: [
      'Deploy two pods in different namespaces.',
      'Test connectivity using internal DNS names and IPs.',
    ],
  },
  {
    number: 2,
    slug: 'lab-2-service-discovery',
    title: 'Service Discovery',
    step: 4,
    goals: [
      'Create a service of type ClusterIP.',
      'Verify that pods can reach the service via its DNS name.',
    ],
  },
  {
    number: 3,
    slug: 'lab-3-network-policy',
    title: 'Network Policy Enforcement',
    step: 4,
    goals: [
      'Create a network policy that restricts traffic between pods in different namespaces.',
      'Test allowed vs. blocked connections.',
    ],
  },
  {
    number: 4,
    slug: 'lab-4-ingress',
    title: 'Ingress Controller Setup',
    step: 4,
    goals: [
      'Install an Ingress controller.',
      'Configure Ingress resources to expose your application externally.',
    ],
  },
  {
    number: 5,
    slug: 'lab-5-cni-comparison',
    title: 'Experiment with CNI Plugins',
    step: 4,
    goals: [
      'Install alternative CNI plugins like Calico, Flannel, or Cilium on your local cluster.',
      'Compare behavior, performance, and network policy capabilities.',
    ],
  },
];

/** The key question of a phase by slug; throws on a typo so quizzes cannot point nowhere. */
export function keyQuestion(slug: string): KeyQuestion {
  for (const phase of PHASES) {
    const found = phase.keyQuestions.find((question) => question.slug === slug);
    if (found) return found;
  }
  throw new Error(`unknown key question ${slug}`);
}
