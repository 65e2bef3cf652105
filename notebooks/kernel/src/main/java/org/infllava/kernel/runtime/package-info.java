/** What notebook code can call: {@link org.infllava.kernel.runtime.Display}, statically imported in every session. */
package org.infllava.kernel.runtime;
