"""Every template global, filter and context processor, registered in one place.

The helpers themselves live with the rules they show (app.i18n, app.labels, the areas);
`init_app` lists them all, so that what a template may call is read here. No other module
of app/ touches the Jinja environment (tests/test_architecture.py keeps it so).
"""
from __future__ import annotations

from flask import Flask, current_app

# Macros of templates/_macros.html offered as globals, so that fragments rendered alone
# (jinja2-fragments) can use them without the page's imports.
MACRO_GLOBALS = ("field", "field_errors", "csrf", "scam_note", "pager", "choice_field")


def _macro(app: Flask, name: str):
    def call(*args, **kwargs):
        return getattr(app.jinja_env.get_template("_macros.html").module, name)(*args, **kwargs)
    return call


def _has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def init_app(app: Flask) -> None:
    """Register every filter, global and context processor of the templates."""
    from flask_babel import get_locale

    from app import i18n
    from app.coverage import routes as coverage
    from app.labels import label
    from app.matching import routes as matching
    from app.navigation import navigation_for
    from app.phone import display_phone, mask_phone
    from app.requests import services as requests
    from app.sessions import routes as sessions
    from app.volunteers import routes as volunteers

    app.jinja_env.filters.update(
        label=label,
        datetime_vn=i18n.fmt_datetime, date_vn=i18n.fmt_date, short_date=i18n.fmt_short_date,
        time_vn=i18n.fmt_time, phone=display_phone, mask_phone=mask_phone,
        number_vn=coverage.number_vn, percent_vn=coverage.percent_vn,
        # requests
        tracking_code=requests.format_code, place_words=requests.place_words,
        waited=requests.waited_words, waited_long=requests.waited_long,
        times_words=requests.times_words,
    )
    app.jinja_env.globals.update({name: _macro(app, name) for name in MACRO_GLOBALS})
    app.jinja_env.globals.update(
        navigation_for=navigation_for, get_locale=get_locale, has_endpoint=_has_endpoint,
        # sessions
        session_when=sessions.session_when, session_where=sessions.session_where,
        session_time_range=sessions.session_time_range,
        session_first_name=sessions.session_first_name,
        # coverage
        figure_url=coverage.figure_url, resident_name=coverage.resident_name,
        yes_no=coverage.yes_no,
    )
    # Context processors of one blueprint's pages only (keyed by its name).
    for blueprint, processor in (
        (sessions.bp.name, sessions.session_words),
        (matching.bp.name, matching.matching_helpers),
        (volunteers.bp.name, volunteers.volunteer_helpers),
    ):
        app.template_context_processors[blueprint].append(processor)


def render_block_alone(template_name: str, block: str, context: dict) -> str:
    """One block of a template rendered with exactly `context`: no request, no context
    processors (messages are rendered by the delivery worker as well as by pages)."""
    template = current_app.jinja_env.get_template(template_name)
    return "".join(template.blocks[block](template.new_context(context)))
