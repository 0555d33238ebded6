package dev.wsguard.contract.jwtapp;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.auth.LoginConfig;

/**
 * Turns on the container's own MP-JWT authentication for the deployment (Payara needs the class to be a CDI bean).
 * wsguard then takes the identity the container verified instead of verifying the token a second time.
 */
@LoginConfig(authMethod = "MP-JWT")
@ApplicationScoped
@ApplicationPath("/api")
public class ContainerJwtApplication extends Application {
}
