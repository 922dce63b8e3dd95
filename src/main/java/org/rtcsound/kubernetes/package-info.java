/**
 * The Kubernetes API through kubernetes-client-java: the clients, one watch loop, and the index
 * of desktop pods by user.
 */
package org.rtcsound.kubernetes;
