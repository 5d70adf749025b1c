// Verify your account: a Spring Boot site proving social accounts through PostSyncer's flow.
//
// Connect → Flow.beginBlocking (bound to this browser's session) → the consent page →
// /callback → Flow.completeBlocking → the verified account, or what went wrong in words a
// person can act on. The flow keeps the state (single use, bound to the session); this app
// keeps nothing.
package example;

import com.postsyncer.delegation.BeginException;
import com.postsyncer.delegation.Client;
import com.postsyncer.delegation.CompleteException;
import com.postsyncer.delegation.ConfigException;
import com.postsyncer.delegation.Flow;
import com.postsyncer.delegation.Platform;
import com.postsyncer.delegation.Proof;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

@SpringBootApplication
@RestController
public class VerifyYourAccount {
    // Per error kind, what the person can do about it.
    private static final Map<String, String> COMPLETE_ERRORS = Map.of(
            "state_not_found", "This link was already used or has expired. Start again.",
            "subject_mismatch", "This link was started in another browser or session. Start again from this browser.",
            "authorization_denied", "You declined the request, so nothing was linked. Connect again if you change your mind.",
            "store_unavailable", "We could not check this link right now. Try again in a minute.",
            "expired", "This link has expired. Start again.");

    private final Flow flow;

    public VerifyYourAccount(Flow flow) {
        this.flow = flow;
    }

    public static void main(String[] args) {
        SpringApplication.run(VerifyYourAccount.class, args);
    }

    @Bean(destroyMethod = "close")
    static Flow flow() throws ConfigException {
        String emulator = System.getenv("PSD_EMULATOR_URL"); // unset: the real PostSyncer
        Client client = new Client(System.getenv("PSD_API_KEY"), emulator == null ? null : emulator + "/api", 10_000L, 2);
        List<String> secrets = List.of(System.getenv("PSD_SIGNING_SECRET"));
        String redisUrl = System.getenv("REDIS_URL");
        // Redis when several processes serve the site (any of them may get the callback).
        return redisUrl == null || redisUrl.isEmpty()
                ? new Flow(client, secrets, 100_000L, 3600L)
                : Flow.Companion.withRedis(client, secrets, redisUrl, "psd:state:", 2000L, 2000L, 3600L);
    }

    @GetMapping("/")
    ResponseEntity<String> index() {
        String buttons = Arrays.stream(Platform.values())
                .map(p -> p.name().toLowerCase(Locale.ROOT)) // the wire names: tiktok, twitter, …
                .map(name -> "<form method=post action='/connect/" + name + "'><button id='connect-" + name
                        + "'>Connect " + name + "</button></form>")
                .collect(Collectors.joining());
        return page(HttpStatus.OK, "<p>Prove which account is yours.</p>" + buttons);
    }

    @PostMapping("/connect/{platform}")
    ResponseEntity<String> connect(@PathVariable String platform, HttpServletRequest request, HttpSession session) {
        Platform chosen;
        try {
            chosen = Platform.valueOf(platform.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return page(HttpStatus.NOT_FOUND, "<p id=error>Unknown platform.</p>");
        }
        String callbackUrl = request.getRequestURL().toString().replaceFirst("/connect/[^/]*$", "/callback");
        try {
            // subject: the browser session's id (the servlet container's JSESSIONID cookie).
            String authorizeUrl = flow.beginBlocking(chosen, callbackUrl, session.getId(), null).getAuthorizeUrl();
            return ResponseEntity.status(HttpStatus.SEE_OTHER).header("Location", authorizeUrl).build();
        } catch (BeginException e) {
            return page(HttpStatus.SERVICE_UNAVAILABLE,
                    "<p id=error>We cannot start a verification right now. Try again in a minute.</p>");
        }
    }

    @GetMapping("/callback")
    ResponseEntity<String> callback(HttpServletRequest request, HttpSession session) {
        String callback = request.getRequestURL() + "?" + request.getQueryString();
        try {
            Proof proof = flow.completeBlocking(callback, session.getId()).getProof();
            return page(HttpStatus.OK, "<p id=verified>Verified.</p><dl>"
                    + "<dt>Platform</dt><dd id=platform>" + proof.getPlatform().name().toLowerCase(Locale.ROOT) + "</dd>"
                    + "<dt>Platform id</dt><dd id=platform-id>" + HtmlUtils.htmlEscape(proof.getPlatformId()) + "</dd>"
                    + "<dt>Handle</dt><dd id=handle>" + HtmlUtils.htmlEscape(proof.getHandle()) + "</dd></dl>");
        } catch (CompleteException e) {
            String words = COMPLETE_ERRORS.getOrDefault(e.kind(),
                    "This link could not be verified (" + e.kind() + "). Start again.");
            return page(HttpStatus.BAD_REQUEST, "<p id=error>" + HtmlUtils.htmlEscape(words) + "</p>");
        }
    }

    private static ResponseEntity<String> page(HttpStatus status, String body) {
        return ResponseEntity.status(status).header("Content-Type", "text/html; charset=utf-8")
                .body("<!doctype html><meta charset=utf-8><title>Verify your account</title>"
                        + "<h1>Verify your account</h1>" + body + "<p><a href='/'>Back to the start</a></p>");
    }
}
