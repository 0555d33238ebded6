/** The extra class of the deployment in which the container, not wsguard, verifies the bearer token. */
package dev.wsguard.contract.jwtapp;
