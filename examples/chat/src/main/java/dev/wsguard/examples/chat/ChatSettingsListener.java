package dev.wsguard.examples.chat;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * In the WAR: checks the chat's own setting when the application starts, so that a bad value fails the deployment,
 * as a bad wsguard key does, instead of every connection once the endpoint is first used. The jar's launcher makes
 * the same check before it starts.
 */
@WebListener
public class ChatSettingsListener implements ServletContextListener {

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ChatSettings.maxSubscriptions();
    }
}
