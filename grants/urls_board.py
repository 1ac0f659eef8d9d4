"""The advisory board's pages, mounted at /board/: what is waiting for a member, meetings, agenda
items, the chair's decision, and the meeting pack and minutes."""

from django.urls import path

from grants.views import board

urlpatterns = [
    path("", board.board_home, name="board-home"),
    path("meetings/<int:pk>/", board.meeting_detail, name="board-meeting"),
    path("meetings/<int:pk>/open/", board.meeting_open_view, name="board-meeting-open"),
    path("meetings/<int:pk>/agenda/", board.meeting_agenda_add_view, name="board-agenda-add"),
    path("meetings/<int:pk>/close/", board.meeting_close_view, name="board-meeting-close"),
    path("meetings/<int:pk>/pack.pdf", board.meeting_pack, name="board-pack"),
    path("meetings/<int:pk>/minutes.pdf", board.meeting_minutes, name="board-minutes"),
    path("meetings/<int:pk>/minutes/", board.meeting_minutes_page, name="board-minutes-page"),
    path("items/<int:pk>/", board.item_detail, name="board-item"),
    path("items/<int:pk>/decide/", board.item_decide, name="board-decide"),
]
