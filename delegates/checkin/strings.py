"""The translated strings of the scanner's script: the page hands them over in a JSON data block (no
inline script runs under the site's CSP), so that every word a door team member reads or hears from
a screen reader is translated, offline too. Placeholders are ``%(name)s``, filled in by the script."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def scanner_strings() -> dict[str, str]:
    return {
        # Verdicts
        "ready": _("Ready to scan"),
        "readyHint": _("Hold the badge's QR code in front of the camera, or search below."),
        "checkedIn": _("Checked in"),
        "checkedInLocal": _("Checked in on this device; it will be sent when the network is back."),
        "already": _("Already checked in at %(time)s by %(name)s"),
        "alreadyNoName": _("Already checked in at %(time)s"),
        "alreadyHere": _("Already checked in at %(time)s on this device"),
        "refused": _("Not admitted"),
        "verdictChecking": _("Checking…"),
        # Reasons (the list's data brings the server's own words; these are for before it has loaded)
        "reason_cancelled": _("Cancelled registration"),
        "reason_rejected": _("Rejected registration"),
        "reason_waitlisted": _("On the waiting list, not confirmed"),
        "reason_pending": _("Pending approval, not confirmed"),
        "reason_not_on_list": _("Not on this list"),
        "reason_other_forum": _("Registered for another forum"),
        "reason_unknown": _("Unknown code: not a badge of this forum"),
        "reason_reissued": _("Old badge: this code was replaced by a reissued badge"),
        "reason_no_data": _("The list is not stored on this device yet: connect to the network once."),
        # Status of the device
        "online": _("Online"),
        "offline": _("Offline"),
        "offlineHint": _("Scans are checked on this device and sent when the network is back."),
        "waitingOne": ngettext("%(count)s scan waiting to be sent", "%(count)s scans waiting to be sent", 1),
        "waitingMany": ngettext("%(count)s scan waiting to be sent", "%(count)s scans waiting to be sent", 2),
        "allSent": _("All scans sent"),
        "syncedAt": _("updated %(time)s"),
        "loading": _("Loading the list…"),
        "stored": _("%(count)s delegates on this device"),
        "loadFailed": _("The list could not be loaded; trying again."),
        "syncFailed": _("The server could not be reached; scans wait on this device."),
        "sessionEnded": _("Your session has ended and the data on this device was wiped. Sign in again."),
        "forbidden": _("You may not check in on this list."),
        "serverError": _("The server could not answer. Try again."),
        "reloadPage": _("Reload the page to send them: you signed in again since it was opened."),
        # Camera
        "startCamera": _("Start camera"),
        "stopCamera": _("Stop camera"),
        "cameraOn": _("Camera on: hold a badge's QR code in the frame."),
        "cameraOff": _("Camera off."),
        "cameraDenied": _("The camera may not be used: allow it in the browser's site settings."),
        "cameraMissing": _("No camera found. Use a handheld scanner, type the code or search."),
        "cameraFailed": _("The camera could not start."),
        # Search and actions
        "searching": _("Searching…"),
        "noResults": _("No delegate found."),
        "resultsCount": ngettext("%(count)s delegate found", "%(count)s delegates found", 2),
        "resultsOne": ngettext("%(count)s delegate found", "%(count)s delegates found", 1),
        "emailOffline": _("Searching by email needs the network; offline, search by name or reference."),
        "searchShort": _("Type at least two characters."),
        "checkInButton": _("Check in"),
        "checkInNamed": _("Check in %(name)s"),
        "printBadge": _("Print badge"),
        "printing": _("Preparing the badge…"),
        "printed": _("Badge ready: %(file)s"),
        "printFailed": _("The badge could not be printed."),
        "printOffline": _("Printing a badge needs the network."),
        "undo": _("Undo check-in"),
        "undone": _("Check-in undone."),
        "undoFailed": _("The check-in could not be undone."),
        "emptyCode": _("Scan or type a code first."),
        "status_confirmed": _("Confirmed"),
        "status_pending": _("Pending approval"),
        "status_waitlisted": _("Waiting list"),
        "status_cancelled": _("Cancelled"),
        "status_rejected": _("Rejected"),
        "notOnList": _("not on this list"),
        "checkedInShort": _("checked in at %(time)s"),
    }
