package org.rtcsound.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** REST resources live under /API, where abcdesktop's pyos keeps its own. */
@ApplicationPath("/API")
public class ApiApplication extends Application {
}
