"""Bot-defence vendors' block pages as they serve them, for the fault site and unit tests.

Wording, markup and headers follow public reports of each vendor's page (Akamai's edge
"Access Denied", Sucuri's firewall, Incapsula's iframe); reference numbers and IDs are made up.
"""

from __future__ import annotations

AKAMAI = (
    "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n"
    "You don't have permission to access \"http&#58;&#47;&#47;faults&#46;example&#47;news&#47;"
    'akamai" on this server.<P>\nReference&#32;&#35;18&#46;2f580317&#46;1772098100&#46;2b6a23ca\n'
    "<P>https&#58;&#47;&#47;errors&#46;edgesuite&#46;net&#47;18&#46;2f580317&#46;1772098100&#46;"
    "2b6a23ca</P>\n</BODY>\n</HTML>\n"
)
AKAMAI_HEADERS = {"Content-Type": "text/html", "Server": "AkamaiGHost", "Mime-Version": "1.0"}
SUCURI = (
    '<!DOCTYPE html>\n<html lang="en" xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
    '<link rel="stylesheet" href="https://cdn.sucuri.net/sucuri-firewall-block.css" />\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1.0" />\n'
    "<title>Sucuri WebSite Firewall - Access Denied</title>\n</head>\n<body>\n"
    '<div id="main-container"><header class="app-header clearfix"><div class="wrap">'
    '<a href="https://www.sucuri.net/" class="logo"></a>'
    '<span class="logo-neartext">Website Firewall</span></div></header>'
    '<section class="app-content access-denied clearfix"><div class="box center width-max-940">'
    "<h1>Access Denied - Sucuri Website Firewall</h1>"
    "<p>This request was stopped by the website firewall. Quote the block ID below when"
    " you contact the site's owner.</p><table><tr><td>Block ID:</td><td>EVA079</td></tr>"
    "<tr><td>Block reason:</td><td>Your address is not allowed here.</td></tr>"
    "</table></div></section></div>\n</body>\n</html>\n"
)
SUCURI_HEADERS = {
    "Content-Type": "text/html",
    "Server": "Sucuri/Cloudproxy",
    "X-Sucuri-ID": "11016",
    "X-Sucuri-Block": "EVA079",
}
INCAPSULA = (
    '<html style="height:100%"><head><META NAME="ROBOTS" CONTENT="NOINDEX, NOFOLLOW">'
    '<meta name="format-detection" content="telephone=no">'
    '<meta name="viewport" content="initial-scale=1.0">'
    '<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1"></head>'
    '<body style="margin:0px;height:100%"><iframe id="main-iframe" src="/_Incapsula_Resource?'
    "CWUDNSAI=27&xinfo=5-1234567-0%200NNN%20RT(1700000000000%201)&incident_id=1234000"
    '50123456789-123456789012345678&edet=15&cinfo=04000000&rpinfo=0&mth=GET" frameborder=0'
    ' width="100%" height="100%" marginheight="0px" marginwidth="0px">Request unsuccessful.'
    " Incapsula incident ID: 123400050123456789-123456789012345678</iframe></body></html>"
)
INCAPSULA_HEADERS = {
    "Content-Type": "text/html",
    "X-CDN": "Incapsula",
    "X-Iinfo": "5-1234567-0 0NNN RT(1700000000000 1) q(0 -1 -1 0) r(0 -1) B15(4,200,0) U18",
    "Set-Cookie": "visid_incap_123456=abc; path=/; Domain=.faults.example",
}
# Sucuri's JavaScript challenge: a 200 whose script sets its cookie and reloads the page.
SUCURI_CHALLENGE = (
    "<html><title>You are being redirected...</title><noscript>Javascript is required. Please"
    " enable javascript before you are allowed to see this page.</noscript><script>"
    "var s={},u,c,U,r,i,l=0,a,e=eval,w=String.fromCharCode,sucuri_cloudproxy_js='',S='cz0n';"
    "document.cookie='sucuri_cloudproxy_uuid_0a1b2c3d4='+s+';path=/;max-age=86400';"
    "location.reload();</script></html>"
)
