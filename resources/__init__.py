"""Static resources (HTML pages, style sheets, icons), installed as desktop_app.resources."""
