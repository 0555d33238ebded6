package dev.wsguard.contract.cluster;

import dev.wsguard.Revocations;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * What an operator's tool does on one node: {@code GET /admin?revoke=<subject>} revokes the user on this node (and so
 * on every node of the cluster) and answers how many sessions it closed here; {@code GET /admin} answers {@code ok}
 * once the application is up. Test-only: a real application puts such a call behind its own authentication.
 */
@WebServlet("/admin")
public class ClusterAdmin extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String subject = request.getParameter("revoke");
        response.setContentType("text/plain");
        response.getWriter().print(subject == null ? "ok" : Integer.toString(Revocations.shared().revokeUser(subject)));
    }
}
